"""``sopkit request scaffold``: the application repository of an assigned request.

It runs ``sopkit new`` with the request's answers and puts the request letter, the KAK, the dispositions
and the letter of assignment in place as the artefacts of steps 1-5 (their paths read from the policy),
filling in the documents' fields the registry knows. What the registry does not know (an official's NIP,
rank, the team members' positions) stays a ``[[ISI`` placeholder, listed for the team to complete.

The registry's signatures do not carry over: a sign-off in an application repository signs the digest of
that repository's files, which did not exist when the officers acted. The officers sign steps 1-5 again
there with ``sopkit signoff`` once the documents are complete; the scaffold commit names the registry
commits it was made from, so the two records can be compared.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import EXIT_BLOCKED, UserError
from toolkit.gate.model import Rules
from toolkit.i18n import _
from toolkit.intake import registry as store
from toolkit.intake.model import (
    ASSIGN,
    DISPOSE_KABID,
    DISPOSE_KADIS,
    POLICY_FILES,
    RECORD,
    Request,
    State,
    folder,
)
from toolkit.intake.records import TEAM_FIELDS
from toolkit.repo.git import commit_all, git
from toolkit.repo.gitread import start_lookup

PLACEHOLDER = re.compile(r"\[\[ISI[^\]]*\]\]")
# The registry's attachments and the artefact file names they become.
ATTACHMENTS = {
    "surat-permintaan.pdf": "surat-permintaan.pdf",
    "surat-tugas.pdf": "surat-tugas.pdf",
    "kak.pdf": "kak-opd.pdf",
}
_OPTIONS = (
    "Tanggapan dan saran",
    "Proses lebih lanjut",
    "Koordinasi/konfirmasi",
    "Untuk ditindaklanjuti",
    "Untuk diketahui",
    "Arsip",
)


@dataclass(frozen=True)
class Scaffolded:
    path: Path
    commit: str
    todo: tuple[str, ...]  # what the team still fills in, per document


def scaffold_request(repo: Path, request_id: str, dest: Path | None) -> Scaffolded:
    """The application of request ``request_id`` of the registry ``repo``."""
    registry = store.load(repo)
    request = registry.request(request_id)
    if request is None:
        raise UserError(_("there is no request {id} in {path}").format(id=request_id, path=repo))
    # read at the commit that was verified (HEAD may have moved since), as stored (no replace objects)
    assert registry.head is not None
    names = [f"{folder(request.id)}/{name}" for name in ATTACHMENTS]
    blobs = _blobs(repo, registry.head, [*POLICY_FILES, *(n for n in names if n in request.files)])
    policy = {name: blobs[name] for name in POLICY_FILES}
    attachments = {
        target: blobs[f"{folder(request.id)}/{name}"]
        for name, target in ATTACHMENTS.items()
        if f"{folder(request.id)}/{name}" in blobs
    }
    source = _("the request registry")
    return scaffold_from(registry.rules, policy, request, attachments, dest, source, repo)


def scaffold_from(
    rules: Rules,
    policy: Mapping[str, bytes],
    request: Request,
    attachments: Mapping[str, bytes],
    dest: Path | None,
    source: str,
    registry: Path | None = None,
) -> Scaffolded:
    """The application of an assigned ``request`` judged under ``rules`` (whose files are ``policy``),
    with ``attachments`` (artefact file name -> bytes) in place; ``source`` names where it came from,
    ``registry`` the local registry's folder (never the application's)."""
    from toolkit.scaffold.new import create, slugify

    if request.state is not State.ASSIGNED:
        raise UserError(
            _("request {id} is '{state}': only an assigned request (step 5 done) is scaffolded").format(
                id=request.id, state=request.state
            ),
            EXIT_BLOCKED,
        )
    letter = request.letter
    # by default in the current folder; beside the registry when that is the registry (or inside it)
    here = Path.cwd().resolve()
    home = registry.resolve().parent if registry and here.is_relative_to(registry.resolve()) else here
    dest = dest or home / slugify(str(letter["aplikasi"]))
    if registry is not None and dest.resolve().is_relative_to(registry.resolve()):
        raise UserError(
            _(
                "{dest} lies inside the request registry {registry}, whose every transition it would then "
                "refuse; give --dest a folder outside it (for example {beside})"
            ).format(dest=dest, registry=registry, beside=registry.resolve().parent / dest.name)
        )
    answers = {
        "app_name": str(letter["aplikasi"]),
        "opd": str(letter["opd"]),
        "request_letter_no": str(letter["nomor_surat"]),
        "request_letter_date": str(letter["tanggal_surat"]),
        "request_id": request.id,
        "kind": str(letter.get("jenis", "pembangunan")),
    }
    with tempfile.TemporaryDirectory(prefix="sopkit-scaffold-") as tmp:
        files = {}
        for name in POLICY_FILES:
            files[name] = Path(tmp) / Path(name).name
            files[name].write_bytes(policy[name])
        create(dest, answers, defaults=True, policy=files[store.POLICY_FILE], roster=files[store.ROSTER_FILE])
    todo = _place(rules, request, attachments, dest)
    events = "\n".join(f"{e.transition}: {e.commit}" for e in request.events)
    git(["add", "-A"], dest)
    title = _("Steps 1-5 from {source}, request {id}").format(source=source, id=request.id)
    commit_all(dest, f"{title}\n\n{events}\n\nSop-Request: {request.id}\n")
    return Scaffolded(dest, git(["rev-parse", "HEAD"], dest).strip(), tuple(todo))


def _blobs(repo: Path, commit: str, paths: list[str]) -> dict[str, bytes]:
    """The files ``paths`` of ``commit``, read through the project's git runner (replace objects and
    grafts off): what was verified, byte for byte."""
    found = start_lookup(repo, [f"{commit}:{path}" for path in paths]).get()
    blobs = {p: got.content for p in paths if (got := found.get(f"{commit}:{p}")) and got.kind == "blob"}
    missing = [p for p in paths if p not in blobs]
    if missing:
        raise UserError(
            _("cannot read {paths} of the registry's commit {commit}").format(
                paths=", ".join(missing), commit=commit[:12]
            )
        )
    return blobs


def _place(rules: Rules, request: Request, attachments: Mapping[str, bytes], dest: Path) -> list[str]:
    """Copy the attachments to their artefacts and fill the documents of steps 1-5; what is left to do."""
    sop = rules.sop
    artefacts = [a for step in sop.steps for a in step.artefacts]
    for target, content in attachments.items():
        artefact = next((a for a in artefacts if a.path.rsplit("/", 1)[-1] == target), None)
        if artefact is not None:
            (dest / artefact.path).parent.mkdir(parents=True, exist_ok=True)
            (dest / artefact.path).write_bytes(content)
    values = _values(rules, request)
    todo = []
    for step in sop.steps[:5]:
        for artefact in step.artefacts:
            doc = dest / artefact.path
            if artefact.kind != "markdown" or not doc.is_file():
                continue
            text = _fill(doc.read_text(encoding="utf-8"), values, step.no)
            doc.write_text(text, encoding="utf-8")
            left = len(PLACEHOLDER.findall(text))
            if left:
                todo.append(
                    _("step {no}: {path}: {count} fields to fill in").format(
                        no=step.no, path=artefact.path, count=left
                    )
                )
    return todo


def _values(rules: Rules, request: Request) -> dict[str, str]:
    roster = rules.roster

    def name(member_id: str) -> str:
        member = roster.member(member_id)
        return member.name if member else member_id

    def names(ids: object) -> str:
        return ", ".join(name(i) for i in ids) if isinstance(ids, list) else ""

    letter, recorded = request.letter, request.record(RECORD) or {}
    team = request.record(ASSIGN) or {}
    assigned = request.event(ASSIGN)
    values = {
        "perihal": str(
            letter.get("perihal")
            or f"Permohonan {letter.get('jenis', 'pembangunan')} aplikasi {letter['aplikasi']}"
        ),
        "ringkasan": str(letter.get("ringkasan") or letter.get("perihal") or letter["aplikasi"]),
        "lampiran": (
            "KAK (kak-opd.pdf)"
            if f"{folder(request.id)}/kak.pdf" in request.files
            else str(letter.get("lampiran") or "Tidak ada")
        ),
        "nomor_agenda": str(recorded.get("nomor_agenda", "")),
        "tanggal_diterima": str(recorded.get("tanggal_diterima", "")),
        "catatan_tu": str(recorded.get("catatan") or f"Dicatat di registri permintaan {request.id}"),
        "kasi": name(assigned.member) if assigned else "",
        "tanggal_penugasan": str(team.get("tanggal", "")),
        "analisis_awal": str(team.get("analisis_awal", "")),
    }
    values.update({field: names(team.get(field)) for field in TEAM_FIELDS})
    for key, transition in (("kadis", DISPOSE_KADIS), ("kabid", DISPOSE_KABID)):
        record, event = request.record(transition) or {}, request.event(transition)
        for field in ("tanggal", "sifat", "isi_disposisi", "catatan"):
            values[f"{key}_{field}"] = str(record.get(field, ""))
        values[f"{key}_nama"] = name(event.member) if event else ""
    kabid = request.record(DISPOSE_KABID) or {}
    values["nomor_surat_tugas"] = str(kabid.get("nomor_surat_tugas", ""))
    values["tanggal_surat_tugas"] = str(kabid.get("tanggal_surat_tugas", ""))
    return {k: v for k, v in values.items() if v}


def _fill(text: str, values: Mapping[str, str], step_no: int) -> str:
    """The document with the placeholders the registry can answer replaced (the others kept)."""
    who = {3: "kadis", 4: "kabid"}.get(step_no)
    known = {
        "nomor agenda surat masuk": values.get("nomor_agenda"),
        "nomor agenda": values.get("nomor_agenda"),
        "tanggal diterima, YYYY-MM-DD": values.get("tanggal_diterima"),
        "tanggal diterima": values.get("tanggal_diterima"),
        "perihal surat, mis.": values.get("perihal"),
        "ringkasan isi surat": values.get("ringkasan"),
        "daftar lampiran surat": values.get("lampiran"),
        "catatan TU": values.get("catatan_tu"),
        "nomor surat tugas": values.get("nomor_surat_tugas"),
        "tanggal surat tugas, YYYY-MM-DD": values.get("tanggal_surat_tugas"),
        "tanggal penugasan, YYYY-MM-DD": values.get("tanggal_penugasan"),
        "nama Kasi Pengembangan Aplikasi": values.get("kasi"),
        "nama anggota Tim IT Support Management": values.get("tim_it_support"),
        "nama anggota Tim Database": values.get("tim_database"),
        "nama Web Desainer": values.get("web_desainer"),
        "nama Web Programmer": values.get("web_programmer"),
        "nama anggota Tim Sekuriti Aplikasi": values.get("tim_sekuriti"),
        "gambaran awal alur kerja": values.get("analisis_awal"),
    }
    if who:
        known.update(
            {
                "tanggal disposisi, YYYY-MM-DD": values.get(f"{who}_tanggal"),
                "Sangat Segera / Segera / Biasa / Rahasia": values.get(f"{who}_sifat"),
                "instruksi yang dipilih di bawah": values.get(f"{who}_isi_disposisi"),
                "catatan disposisi": values.get(f"{who}_catatan") or values.get(f"{who}_isi_disposisi"),
            }
        )
        instruction = values.get(f"{who}_isi_disposisi", "")
        for option in _OPTIONS:
            if option.lower() == instruction.lower():
                text = text.replace(f"- [ ] {option}", f"- [x] {option}")

    def answer(match: re.Match[str], quoted: bool) -> str:
        inner = match.group(0)[len("[[ISI:") : -2].strip()
        found = next((v for k, v in known.items() if v and inner.startswith(k)), None)
        if not found:
            return match.group(0)
        line = " ".join(found.splitlines())
        # the front matter's placeholders stand inside double-quoted YAML strings: a backslash or a quote
        # of the value escaped there, so the value reads back as recorded
        return line.replace("\\", "\\\\").replace('"', '\\"') if quoted else line

    head, body = _front_matter(text)
    return PLACEHOLDER.sub(lambda m: answer(m, True), head) + PLACEHOLDER.sub(
        lambda m: answer(m, False), body
    )


def _front_matter(text: str) -> tuple[str, str]:
    """A document's YAML front matter (between its first two ``---`` lines) and the rest."""
    if text.startswith("---\n"):
        end = text.find("\n---\n", 3)
        if end != -1:
            return text[: end + 5], text[end + 5 :]
    return "", text
