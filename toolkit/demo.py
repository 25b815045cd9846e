"""``sopkit demo``: the whole SOP on one machine, in one folder, in under a minute.

SSH keys and a roster for the office; an agency's request recorded and disposed in the request registry
(steps 1-5); the application repository scaffolded from it and a plain git server with the gate; code
pushed before the design refused; every step filled in, signed off and pushed to step 17; a code change
after the security test held back by the release gate, re-tested, released; the status table and the
dashboard written. Everything stays inside the folder (its own template store included), so it can be
deleted afterwards.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.errors import UserError
from toolkit.evidence.contents import example_mark
from toolkit.i18n import _, current_language
from toolkit.repo.git import git, git_env
from toolkit.sop.model import Sop

if TYPE_CHECKING:
    from toolkit.gate.model import Rules
    from toolkit.overview.model import AppState

PLACEHOLDER = re.compile(r"\[\[ISI[^\]]*\]\]")
FILLED = "Isi sebenarnya"
# Fields the policy allows only some values for (``values`` in sop.yaml): what a team that got there writes.
DECIDED = {"keputusan_opd": "Diterima"}
# Placeholders whose answer the gate reads: a security control's status (any other needs a finding).
ANSWERED = {"[[ISI: status]]": "Sesuai"}
# The smallest well-formed PDF: what a scanned or e-signed letter is stored as.
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>"
    b"endobj\nxref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n"
    b"trailer<</Size 3/Root 1 0 R>>\nstartxref\n101\n%%EOF\n"
)
PEOPLE = {
    "ani": "tu",
    "dedi": "kadis",
    "rahmat": "kabid",
    "budi": "kasi",
    "rina": "it-support",
    "dina": "database",
    "eko": "web-programmer",
    "joko": "security",
    "wati": "pengendalian",
}
SIGNERS = {role: name for name, role in PEOPLE.items()}


def fill_step(repo: Path, policy: Sop, step_no: int) -> None:
    """Fill in every required artefact of a step as its team would (placeholders replaced, PDFs stored)."""
    for artefact in policy.step(step_no).artefacts:
        if artefact.optional:
            continue
        path = repo / artefact.path
        if artefact.kind == "pdf":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(MINIMAL_PDF)
            continue
        if artefact.kind == "image" and not any(repo.glob(artefact.path)):  # a photo of the meeting
            photo = repo / artefact.path.replace("*", "foto-1.png")
            photo.parent.mkdir(parents=True, exist_ok=True)
            photo.write_bytes(_png())
            continue
        for match in sorted(repo.glob(artefact.path)) if "*" in artefact.path else [path]:
            match.write_text(filled(match.read_text(encoding="utf-8")), encoding="utf-8")


def filled(text: str) -> str:
    """``text`` as its team would fill it in: every placeholder replaced, the template's examples kept
    as the real content (their marks removed)."""
    for field, value in DECIDED.items():
        text = re.sub(rf'(?m)^({field}: *)"\[\[ISI[^\]]*\]\]"', rf'\g<1>"{value}"', text)
    for placeholder, value in ANSWERED.items():
        text = text.replace(placeholder, value)
    rows = PLACEHOLDER.sub(FILLED, text).split("\n")
    return "\n".join(r for r in rows if not example_mark(r))


def _png() -> bytes:
    """A one-pixel PNG: what a photo is stored as."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0\0"))
        + chunk(b"IEND", b"")
    )


@dataclass(frozen=True)
class DemoResult:
    folder: Path
    app: Path
    server: Path
    registry: Path
    pushes: tuple[tuple[str, bool], ...]  # what was pushed, and whether the server accepted it
    releases: tuple[bool, ...]  # the release gate's verdicts, in order
    rules: Rules  # the office's policy and roster, as the server has them
    dashboard: Path


def _key(folder: Path, name: str) -> Path:
    key = folder / name
    if not key.exists():
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"{name}@demo", "-f", str(key)], check=True
        )
    return key


def _roster(keys: dict[str, Path]) -> str:
    lines = ["version: 1", "members:"]
    for name, role in PEOPLE.items():
        public = keys[name].with_suffix(".pub").read_text(encoding="utf-8").strip()
        lines += [
            f"  {name}:",
            f"    name: {name.title()}",
            f"    email: {name}@demo.sumbarprov.go.id",
            f"    keys: [{public}]",
            "    roles:",
            f"      - role: {role}",
        ]
    return "\n".join(lines) + "\n"


class _Office:
    """The demo's office at work: commits by its people, sign-offs with their keys, pushes to its server."""

    def __init__(self, folder: Path, keys: dict[str, Path], say: Callable[[str], None]) -> None:
        self.folder, self.keys, self.say = folder, keys, say
        self.app, self.bare = folder / "aplikasi", folder / "server.git"
        self.pushes: list[tuple[str, bool]] = []

    def commit(self, message: str, author: str) -> str:
        git(["add", "-A"], self.app)
        identity = ["-c", f"user.name={author.title()}", "-c", f"user.email={author}@demo.sumbarprov.go.id"]
        git([*identity, "commit", "-q", "--no-verify", "-m", message], self.app)
        return git(["rev-parse", "HEAD"], self.app).strip()

    def sign(self, step: int, rules: Rules) -> None:
        from toolkit.forge.plain.signing import sign_off
        from toolkit.sop import load

        for role in load(self.app / ".sop" / "sop.yaml").step(step).signoffs:
            sign_off(
                self.app, str(step), role, "Diperiksa dan disetujui", str(self.keys[SIGNERS[role]]), rules
            )

    def push(self, what: str) -> bool:
        result = subprocess.run(
            ["git", "push", "-q", str(self.bare), "HEAD:main"],
            cwd=self.app,
            env=git_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        accepted = result.returncode == 0
        self.pushes.append((what, accepted))
        verdict = _("accepted") if accepted else _("REJECTED")
        self.say(f"   git push ({what}): {verdict}")
        for line in result.stderr.splitlines():
            if "remote:" in line and "- [" in line:
                self.say(f"     {line.split('remote:', 1)[1].strip()}")
        return accepted


def run(folder: Path, say: Callable[[str], None]) -> DemoResult:
    from toolkit.paths import default_policy
    from toolkit.repo.gather import policy_from_files
    from toolkit.scaffold.store import ensure_store, store_path

    folder = folder.resolve()  # git runs in other folders below: every path must be absolute
    if folder.exists() and any(folder.iterdir()):
        raise UserError(_("{dest} is not empty; the demo needs a new or empty folder").format(dest=folder))
    folder.mkdir(parents=True, exist_ok=True)
    keys_dir = folder / "kunci"
    keys_dir.mkdir()
    keys = {name: _key(keys_dir, name) for name in PEOPLE}
    (folder / "roster.yaml").write_text(_roster(keys), encoding="utf-8")
    policy_file = folder / "sop.yaml"
    policy_file.write_bytes(default_policy().read_bytes())
    rules = policy_from_files(policy_file, folder / "roster.yaml")
    say(_("1. Keys and a roster for {names} in {path}").format(names=", ".join(PEOPLE), path=folder))
    own_store = "SOPKIT_TEMPLATE_STORE" not in os.environ  # keep the user's store untouched
    ensure_store(path=folder / "template-store" if own_store else store_path())
    if own_store:
        os.environ["SOPKIT_TEMPLATE_STORE"] = str(folder / "template-store")
    try:
        office = _Office(folder, keys, say)
        registry, request_id = _intake(folder, keys, policy_file, say)
        _scaffold(office, registry, request_id, policy_file, rules, say)
        releases = _build(office, rules, say)
    finally:
        if own_store:
            os.environ.pop("SOPKIT_TEMPLATE_STORE", None)
    dashboard = _overview(folder, registry, say)
    return DemoResult(
        folder, office.app, office.bare, registry, tuple(office.pushes), releases, rules, dashboard
    )


def _intake(
    folder: Path, keys: dict[str, Path], policy: Path, say: Callable[[str], None]
) -> tuple[Path, str]:
    """Steps 1-5 in the request registry, each a commit signed by the official who does it."""
    from toolkit.intake import registry as store
    from toolkit.intake.act import act

    registry = folder / "registri"
    store.init(registry, policy, folder / "roster.yaml")
    letters = folder / "surat"
    letters.mkdir()
    for name in ("surat-permintaan.pdf", "kak.pdf", "surat-tugas.pdf"):
        (letters / name).write_bytes(MINIMAL_PDF)
    letter = {
        "opd": "Badan Kepegawaian Daerah",
        "aplikasi": "Sistem Informasi Kepegawaian",
        "jenis": "pembangunan",
        "nomor_surat": "800/123/BKD-2026",
        "tanggal_surat": "2026-11-02",
        "perihal": "Permohonan pembangunan aplikasi kepegawaian",
    }
    attachments = {"surat-permintaan.pdf": letters / "surat-permintaan.pdf", "kak.pdf": letters / "kak.pdf"}
    done = act(registry, "new", None, letter, attachments, str(keys["ani"]))
    request_id = done.request_id
    say(_("2. Request {id} from the agency recorded in the registry {path} (step 1, TU)").format(
        id=request_id, path=registry))  # fmt: skip
    act(registry, "record", request_id, {"nomor_agenda": "0412/TU/2026"}, {}, str(keys["ani"]))
    say(_("   step 2: TU gives it agenda number 0412/TU/2026 and forwards it to the Kadis"))
    act(registry, "dispose", request_id, {"isi_disposisi": "Untuk ditindaklanjuti", "sifat": "Segera"}, {},
        str(keys["dedi"]))  # fmt: skip
    say(_("   step 3: the Kadis disposes it to the Kabid"))
    assignment = {
        "isi_disposisi": "Proses lebih lanjut",
        "sifat": "Segera",
        "nomor_surat_tugas": "800/45/Diskominfotik-2026",
        "tanggal_surat_tugas": "2026-11-05",
    }
    act(registry, "dispose", request_id, assignment, {"surat-tugas.pdf": letters / "surat-tugas.pdf"},
        str(keys["rahmat"]))  # fmt: skip
    say(_("   step 4: the Kabid disposes it to the Kasi with the letter of assignment"))
    team = {"tim_it_support": ["rina"], "tim_database": ["dina"], "web_programmer": ["eko"]}
    act(registry, "assign", request_id, team, {}, str(keys["budi"]))
    say(_("   step 5: the Kasi assigns the team (rina, dina, eko)"))
    return registry, request_id


def _scaffold(
    office: _Office, registry: Path, request_id: str, policy: Path, rules: Rules, say: Callable[[str], None]
) -> None:
    """The application repository from the request, steps 1-5 in place and signed again in it."""
    from toolkit.forge.plain import server
    from toolkit.intake.scaffold import scaffold_request
    from toolkit.sop import load

    made = scaffold_request(registry, request_id, office.app)
    # the server's refusals in the language the demo speaks (sopkit server init --hook-lang)
    server.init(office.bare, policy, office.folder / "roster.yaml", ("main",), current_language())
    say(_("3. Application repository {app} made from the request, and the git server {server} with the gate")
        .format(app=office.app, server=office.bare))  # fmt: skip
    say(
        _("   {count} documents of steps 1-5 still have fields to fill in (NIPs, ranks, ...)").format(
            count=len(made.todo)
        )
    )
    sop = load(office.app / ".sop" / "sop.yaml")
    (office.app / "src").mkdir(exist_ok=True)
    (office.app / "src" / "index.php").write_text("<?php echo 'Halo';\n", encoding="utf-8")
    office.commit("Mulai pemrograman", "eko")
    office.push(_("code before the design steps"))
    git(["reset", "-q", "--hard", "HEAD~1"], office.app)
    for step in range(1, 7):  # the agency's own KAK, placed from the request, is step 6's
        fill_step(office.app, sop, step)
    office.commit("Langkah 1-6 dilengkapi", "rina")
    office.push(_("steps 1-6 filled in, not signed off"))
    for step in range(1, 7):
        office.sign(step, rules)
    office.push(_("steps 1-6 signed off by TU, the Kadis, the Kabid and the Kasi"))


def _build(office: _Office, rules: Rules, say: Callable[[str], None]) -> tuple[bool, ...]:
    """Steps 6-17 filled in, signed off and pushed one by one; then the release gate."""
    from toolkit.forge.plain import gate as plaingit
    from toolkit.sop import load

    sop = load(office.app / ".sop" / "sop.yaml")
    say(_("4. The team fills in and the officials sign off steps 7 to 17, one push each"))
    for step in sop.steps[6:]:
        fill_step(office.app, sop, step.no)
        author = "rina"
        if step.produces_code:
            (office.app / "src").mkdir(exist_ok=True)
            (office.app / "src" / "index.php").write_text("<?php echo 'Sistem Informasi Kepegawaian';\n")
            author = "eko"
        if step.covers_code:
            _report(office.app, git(["rev-parse", "HEAD"], office.app).strip())
        office.commit(f"Langkah {step.no}: {step.title.get()}", author)
        office.sign(step.no, rules)
        office.push(_("step {no} signed off").format(no=step.no))
    releases = []

    def release(what: str) -> None:
        report = plaingit.check_release(office.bare, "main", branch="main")
        releases.append(report.passed)
        verdict = _("RELEASED") if report.passed else _("BLOCKED")
        say("   " + _("release gate ({what}): {verdict}").format(what=what, verdict=verdict))
        for violation in report.violations[:2]:
            from toolkit.gate.messages import violation_text

            say(f"     - {violation_text(violation)}")

    say(_("5. The release gate on the server"))
    release(_("all 17 steps complete"))
    (office.app / "src" / "index.php").write_text("<?php echo 'Sistem Informasi Kepegawaian v2';\n")
    office.commit("Perubahan kode setelah uji keamanan", "eko")
    office.push(_("a code change after the security test"))
    release(_("the code changed after the test"))
    _report(office.app, git(["rev-parse", "HEAD"], office.app).strip())
    office.commit("Uji ulang keamanan", "rina")
    office.sign(14, rules)
    office.push(_("re-tested and signed off by the security team"))
    release(_("after the re-test"))
    return tuple(releases)


def _report(app: Path, tested: str) -> None:
    """The security team's report naming ``tested`` as the tested commit, result LULUS."""
    report = app / "docs" / "14-uji-keamanan" / "laporan-uji-keamanan.md"
    text = report.read_text(encoding="utf-8")
    text = re.sub(r"commit_diuji: .*", f'commit_diuji: "{tested}"', text)
    text = re.sub(r"hasil: .*", 'hasil: "LULUS"', text)
    # the findings table: one finding, fixed and re-tested
    table = r"(## Temuan\n(?:[^|\n].*\n|\n)*\|.*\|\n\|.*\|\n)(\|.*\|\n)+"
    text = re.sub(table, lambda m: m.group(1) + FINDING + "\n", text)
    report.write_text(text, encoding="utf-8")


FINDING = "| 1 | Injeksi SQL pada formulir masuk | V5.3.4 | Tinggi | 8.6 | Diperbaiki | Lulus |"


def served(folder: Path) -> list[AppState]:
    """The applications of the demo's folder as the Kasi sees them: the server's repository, not the
    working clone of the same application beside it."""
    from toolkit.forge.plain.status import status

    return [app for app in status(folder) if Path(app.path) != folder / "aplikasi"]


def _overview(folder: Path, registry: Path, say: Callable[[str], None]) -> Path:
    """The status of every application in the folder, and the dashboard with the request timeline."""
    import time

    from toolkit.cli.status_cmd import write_page
    from toolkit.intake.registry import load
    from toolkit.overview.dashboard import page
    from toolkit.overview.requests import timeline

    apps = served(folder)
    loaded = load(registry)
    names = {app.name: app.repo for app in apps}
    linked = {rid: names[str(r.letter.get("aplikasi"))] for rid, r in loaded.requests.items()
              if str(r.letter.get("aplikasi")) in names}  # fmt: skip
    requests = timeline(loaded.requests, loaded.rules.roster, loaded.rules.sop.settings.timezone, linked)
    target = write_page(folder / "dasbor", page(apps, requests, generated=time.strftime("%Y-%m-%d %H:%M")))
    say(_("6. Status of every application, and the dashboard {path}").format(path=target))
    return target


# the pushes: code before design rejected, steps 1-6 unsigned rejected, signed accepted, steps 7-17 accepted,
# the code change accepted (the change gate lets code in once the design is complete), the re-test accepted
EXPECTED_PUSHES = (False, False, True, *([True] * 11), True, True)
EXPECTED_RELEASES = (True, False, True)
