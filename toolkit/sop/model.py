"""The SOP as typed, immutable data. Built only from a validated sop.yaml (see ``load``)."""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

from toolkit.i18n import current_language

ArtefactKind = Literal["markdown", "pdf", "image", "sql", "uml", "any"]
GateName = Literal["intake", "design", "code", "release", "handover"]
GATE_NAMES: tuple[GateName, ...] = ("intake", "design", "code", "release", "handover")
POLICY_STEP = "policy"  # the id sign-offs of policy changes carry; no step may use it

DEFAULT_PLACEHOLDER = "[[ISI"
DEFAULT_MAX_ARTEFACT_BYTES = 10 * 1024 * 1024
DEFAULT_TIMEZONE = "Asia/Jakarta"


class Text(NamedTuple):
    """A text in Indonesian and English."""

    id: str
    en: str

    def get(self, lang: str | None = None) -> str:
        return self.en if (lang or current_language()) == "en" else self.id

    def __str__(self) -> str:
        return self.get()


class Role(NamedTuple):
    id: str
    title: Text
    team: str | None = None


class Document(NamedTuple):
    id: str
    no: int
    title: Text


class Phase(NamedTuple):
    id: str
    title: Text


class SignerMatch(NamedTuple):
    """An allowed signer of a letter: certificate subject fields (cn, o, ou, serial_number, ...), all of
    which must match."""

    fields: tuple[tuple[str, str], ...]


class SignaturePolicy(NamedTuple):
    """What a PDF artefact's electronic signature must be (``signature:`` of an artefact)."""

    required: bool = True  # False: an unsigned letter is accepted, a signed one must still verify
    signers: tuple[SignerMatch, ...] = ()  # empty: anyone whose certificate chains to a pinned root
    after_signing: Literal["none", "form-filling"] = "none"  # what may change after the signature
    revocation: Literal["soft-fail", "hard-fail"] = "soft-fail"  # hard-fail: revocation data required
    timestamp: Literal["optional", "required"] = "optional"


class TrustRoot(NamedTuple):
    """A pinned root certificate for signed letters: a file beside the policy, and its SHA-256."""

    path: str
    sha256: str


class Artefact(NamedTuple):
    path: str
    kind: ArtefactKind
    title: Text | None = None
    sections: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    optional: bool = False
    signature: SignaturePolicy | None = None  # PDF only: the electronic signature it must carry
    values: tuple[tuple[str, tuple[str, ...]], ...] = ()  # field -> the only values it may hold


class Step(NamedTuple):
    no: int
    id: str
    title: Text
    actors: tuple[str, ...]
    phase: str
    gate: GateName
    artefacts: tuple[Artefact, ...]
    signoffs: tuple[str, ...]
    requires: tuple[str, ...] = ()
    inputs: tuple[str, ...] = ()
    produces: tuple[str, ...] = ()
    outputs: tuple[Text, ...] = ()
    activity: Text | None = None
    time_limit_days: int | None = None
    covers_code: bool = False
    tested_commit_field: str | None = None
    # Steps that need only be under way, not complete (step 12 meets the agency at 70 % of step 11).
    requires_started: tuple[str, ...] = ()
    produces_code: bool = False  # the step's output is the program: complete only once code exists
    note: Text | None = None  # where the policy interprets the SOP, and why


class CodeGate(NamedTuple):
    """Code is default-deny: every file that is neither an artefact nor a policy file is application code,
    except the files ``exclude`` names, each by its literal path."""

    exclude: tuple[str, ...]
    requires: tuple[str, ...]


class ReleaseGate(NamedTuple):
    requires: tuple[str, ...]


class Policy(NamedTuple):
    owners: tuple[str, ...]
    paths: tuple[str, ...]


class Settings(NamedTuple):
    placeholder: str = DEFAULT_PLACEHOLDER
    max_artefact_bytes: int = DEFAULT_MAX_ARTEFACT_BYTES
    timezone: str = DEFAULT_TIMEZONE  # roster dates are days in the office's time zone
    trust_roots: tuple[TrustRoot, ...] = ()  # the roots signed letters must chain to


class Sop(NamedTuple):
    id: str
    title: Text
    organisation: str
    roles: dict[str, Role]
    documents: dict[str, Document]
    phases: dict[str, Phase]
    steps: tuple[Step, ...]
    code_gate: CodeGate
    release_gate: ReleaseGate
    policy: Policy
    settings: Settings
    source: str | None = None

    def step(self, key: str | int) -> Step:
        """A step by id or by number; ``KeyError`` when there is none."""
        if isinstance(key, int) or key.isdigit():
            found = next((step for step in self.steps if step.no == int(key)), None)
        else:
            found = next((step for step in self.steps if step.id == key), None)
        if found is None:
            raise KeyError(key)
        return found

    def __hash__(self) -> int:  # dict fields make a tuple's hash unusable; identity is enough
        return id(self)


def _text(raw: dict[str, str]) -> Text:
    return Text(id=raw["id"], en=raw["en"])


def _artefact(raw: dict[str, Any]) -> Artefact:
    return Artefact(
        path=raw["path"],
        kind=raw["kind"],
        title=_text(raw["title"]) if "title" in raw else None,
        sections=tuple(raw.get("sections", ())),
        fields=tuple(raw.get("fields", ())),
        optional=bool(raw.get("optional", False)),
        signature=_signature(raw["signature"]) if "signature" in raw else None,
        values=tuple((field, tuple(allowed)) for field, allowed in raw.get("values", {}).items()),
    )


def _signature(raw: dict[str, Any]) -> SignaturePolicy:
    return SignaturePolicy(
        required=bool(raw.get("required", True)),
        signers=tuple(
            SignerMatch(tuple(sorted((k, str(v)) for k, v in m.items()))) for m in raw.get("signers", ())
        ),
        after_signing=raw.get("after_signing", "none"),
        revocation=raw.get("revocation", "soft-fail"),
        timestamp=raw.get("timestamp", "optional"),
    )


def _step(raw: dict[str, Any]) -> Step:
    return Step(
        no=raw["no"],
        id=raw["id"],
        title=_text(raw["title"]),
        activity=_text(raw["activity"]) if "activity" in raw else None,
        actors=tuple(raw["actors"]),
        phase=raw["phase"],
        gate=raw["gate"],
        requires=tuple(raw.get("requires", ())),
        inputs=tuple(raw.get("inputs", ())),
        produces=tuple(raw.get("produces", ())),
        outputs=tuple(_text(t) for t in raw.get("outputs", ())),
        artefacts=tuple(_artefact(a) for a in raw["artefacts"]),
        signoffs=tuple(raw["signoffs"]),
        time_limit_days=raw.get("time_limit_days"),
        covers_code=bool(raw.get("covers_code", False)),
        tested_commit_field=raw.get("tested_commit_field"),
        requires_started=tuple(raw.get("requires_started", ())),
        produces_code=bool(raw.get("produces_code", False)),
        note=_text(raw["note"]) if "note" in raw else None,
    )


def build(data: dict[str, Any]) -> Sop:
    """Turn validated sop.yaml data into the model (call only after validation passed)."""
    settings = data.get("settings", {})
    code = data["gates"]["code"]
    return Sop(
        id=data["sop"]["id"],
        title=_text(data["sop"]["title"]),
        organisation=data["sop"]["organisation"],
        source=data["sop"].get("source"),
        roles={k: Role(k, _text(v["title"]), v.get("team")) for k, v in data["roles"].items()},
        documents={k: Document(k, v["no"], _text(v["title"])) for k, v in data["documents"].items()},
        phases={k: Phase(k, _text(v["title"])) for k, v in data["phases"].items()},
        steps=tuple(_step(s) for s in data["steps"]),
        code_gate=CodeGate(tuple(code.get("exclude", ())), tuple(code["requires"])),
        release_gate=ReleaseGate(tuple(data["gates"]["release"]["requires"])),
        policy=Policy(tuple(data["policy"]["owners"]), tuple(data["policy"]["paths"])),
        settings=Settings(
            placeholder=settings.get("placeholder", DEFAULT_PLACEHOLDER),
            max_artefact_bytes=settings.get("max_artefact_bytes", DEFAULT_MAX_ARTEFACT_BYTES),
            timezone=settings.get("timezone", DEFAULT_TIMEZONE),
            trust_roots=tuple(
                TrustRoot(r["path"], r["sha256"].lower()) for r in settings.get("trust_roots", ())
            ),
        ),
    )
