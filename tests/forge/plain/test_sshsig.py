"""Signature checks through ssh-keygen, and the cache in front of them."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from toolkit.cache import Cache
from toolkit.evidence.roster import Grant, Member, Roster
from toolkit.forge.plain import sshsig


def keypair(folder: Path, name: str) -> tuple[Path, str]:
    key = folder / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True)
    return key, key.with_suffix(".pub").read_text().strip()


def sign(key: Path, payload: bytes, folder: Path) -> bytes:
    message = folder / "payload"
    message.write_bytes(payload)
    subprocess.run(
        ["ssh-keygen", "-q", "-Y", "sign", "-f", str(key), "-n", "git", str(message)],
        check=True,
        capture_output=True,
    )
    return (folder / "payload.sig").read_bytes()


def roster(member: str, public: str) -> Roster:
    return Roster((Member(member, member, (f"{member}@x.go.id",), (public,), (Grant("kasi"),)),))


def test_signer_is_found_and_remembered(tmp_path: Path) -> None:
    key, public = keypair(tmp_path, "budi")
    _other, other_public = keypair(tmp_path, "sari")
    cache = Cache(tmp_path / "cache")
    payload = b"tree 1\n\nSOP sign-off\n"
    signature = sign(key, payload, tmp_path)
    assert sshsig.signer(signature, payload, roster("budi", public), cache) == "budi"
    # the same signature over other bytes, or against a roster without the key, is nobody's
    assert sshsig.signer(signature, b"tree 2\n\nSOP sign-off\n", roster("budi", public), cache) is None
    assert sshsig.signer(signature, payload, roster("sari", other_public), cache) is None
    # only the signature that verified is remembered: a "no" may come from a run that failed
    kept = list((tmp_path / "cache" / sshsig.NAMESPACE_CACHE).iterdir())
    assert [entry.read_text() for entry in kept] == ['"budi"']
    key_of = Cache.key(sshsig.NAMESPACE_CACHE, signature, payload, f"budi {public}".encode())
    assert cache.lookup(sshsig.NAMESPACE_CACHE, key_of) == "budi"
    assert sshsig.signer(signature, payload, roster("budi", public), cache) == "budi"


def test_a_failed_ssh_keygen_is_not_remembered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key, public = keypair(tmp_path, "budi")
    cache = Cache(tmp_path / "cache")
    payload = b"tree 1\n\nSOP sign-off\n"
    signature = sign(key, payload, tmp_path)
    broken = tmp_path / "bin"
    broken.mkdir()
    (broken / "ssh-keygen").write_text("#!/bin/sh\nexit 255\n")  # a tool that fails whatever it is asked
    (broken / "ssh-keygen").chmod(0o755)
    path = os.environ["PATH"]
    monkeypatch.setenv("PATH", f"{broken}{os.pathsep}{path}")
    assert sshsig.signer(signature, payload, roster("budi", public), cache) is None
    monkeypatch.setenv("PATH", path)
    assert sshsig.signer(signature, payload, roster("budi", public), cache) == "budi"
