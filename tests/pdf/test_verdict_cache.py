"""A remembered verdict on a signed letter is keyed by the validator's versions too: after an upgrade of
pyHanko or pyhanko-certvalidator, or a change of sop-toolkit's own rules for letters, the letter is judged
again (a real git repository, the real cache, the real child process)."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest

from tests.conftest import ROOT, git
from tests.forge.plain.test_signed_letters import LETTER, PINNED, signed_policy
from tests.pdf.pki import letter, make_pki, sign
from toolkit import sandbox, sop
from toolkit.cache import Cache
from toolkit.evidence import pdfsig
from toolkit.repo.gather import file_verdicts
from toolkit.repo.gitread import read_snapshot


def test_a_validator_upgrade_judges_letters_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pki = make_pki()
    repo = tmp_path / "app"
    (repo / LETTER).parent.mkdir(parents=True)
    head = pki.person("Kepala BKD", o="Badan Kepegawaian Daerah")
    (repo / LETTER).write_bytes(sign(letter("Permintaan"), pki, head))
    git(tmp_path, "init", "-q", str(repo))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "Surat permintaan")
    policy = sop.parse(signed_policy((ROOT / "sop.yaml").read_text("utf-8"), pki.root.pem).encode(), PINNED)
    snapshot = read_snapshot(repo, "HEAD")
    cache = Cache(tmp_path / "cache")
    checked: list[int] = []
    real = sandbox.verify

    def counting(jobs: list[sandbox.Job], *args: object, **kw: object) -> list[object]:
        checked.append(len(jobs))
        return real(jobs, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(sandbox, "verify", counting)
    for _ in range(2):
        _verdicts, letters = file_verdicts(repo, policy, snapshot, cache, (pki.root.pem,))
        assert letters[LETTER].signer == "Kepala BKD"
    assert checked == [1]  # judged once, then remembered

    installed = importlib.metadata.version

    def upgraded(name: str) -> str:
        return "0.39.0" if name.lower() == "pyhanko" else installed(name)

    monkeypatch.setattr(importlib.metadata, "version", upgraded)
    _verdicts, letters = file_verdicts(repo, policy, snapshot, cache, (pki.root.pem,))
    assert letters[LETTER].signer == "Kepala BKD"
    assert checked == [1, 1]  # another pyHanko: judged again

    monkeypatch.setattr(pdfsig, "RULES", pdfsig.RULES + 1)
    _verdicts, letters = file_verdicts(repo, policy, snapshot, cache, (pki.root.pem,))
    assert checked == [1, 1, 1]  # sop-toolkit's own rules for letters changed: judged again
