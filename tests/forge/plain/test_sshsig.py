"""Signature checks through ssh-keygen, and the cache in front of them."""

from __future__ import annotations

import subprocess
from pathlib import Path

from toolkit import cache
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
    signature = sign(key, b"tree 1\n\nSOP sign-off\n", tmp_path)
    assert sshsig.signer(signature, b"tree 1\n\nSOP sign-off\n", roster("budi", public)) == "budi"
    # the same signature over other bytes, or against a roster without the key, is nobody's
    assert sshsig.signer(signature, b"tree 2\n\nSOP sign-off\n", roster("budi", public)) is None
    assert sshsig.signer(signature, b"tree 1\n\nSOP sign-off\n", roster("sari", other_public)) is None
    # a fresh process would read the answers from the cache
    sshsig._KNOWN.clear()
    digest = cache.key(signature, b"tree 1\n\nSOP sign-off\n", f"budi {public}".encode())
    assert cache.lookup("signatures", digest) == "budi"
    assert sshsig.signer(signature, b"tree 1\n\nSOP sign-off\n", roster("budi", public)) == "budi"
