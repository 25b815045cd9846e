"""``sopkit pdf verify``: check one electronically signed letter by hand."""

from __future__ import annotations

import json
from pathlib import Path

import click

from toolkit.cli.lean import lean
from toolkit.errors import EXIT_BLOCKED, EXIT_USAGE, UserError
from toolkit.i18n import _


@click.group(help=_("Electronically signed letters (PDF)."))
def pdf() -> None:
    pass


@pdf.command(
    help=_(
        "Check the electronic signatures of a PDF letter, offline, against pinned trust roots: exit 0 when "
        "accepted, 1 when not accepted, 2 when the input cannot be used. Without --roots, the roots and "
        "the letter's signature policy come from the repository's .sop/sop.yaml."
    )
)
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--roots",
    type=click.Path(path_type=Path, exists=True),
    help=_("A folder of root certificates (*.pem, *.crt, *.cer, *.der), or one certificate file."),
)
@click.option(
    "--signer",
    "signers",
    multiple=True,
    metavar="FIELD=VALUE[,FIELD=VALUE]",
    help=_("An allowed signer by certificate subject fields (cn, o, ou, serial_number, email, c, title)."),
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@lean
def verify(file: Path, roots: Path | None, signers: tuple[str, ...], fmt: str) -> None:
    from toolkit import letters
    from toolkit.evidence.pdfsig import describe, problem_text
    from toolkit.sop.model import SignaturePolicy

    policy = SignaturePolicy()
    if roots is not None:
        pinned = letters.roots_in(roots)
        source = _("{path} (given with --roots)").format(path=roots)
    else:
        found = letters.repository_rules(Path.cwd())
        if found is None or not found[1].roots:
            raise UserError(
                _(
                    "no trust roots: give --roots DIR, or run inside a repository whose .sop/sop.yaml pins "
                    "them (settings.trust_roots)"
                ),
                EXIT_USAGE,
            )
        top, rules = found
        pinned = rules.roots
        policy = letters.policy_for(rules, top, file) or policy
        source = letters.roots_source(top, rules)
    if signers:
        policy = policy._replace(signers=tuple(_signer(text) for text in signers))
    checked = letters.check(file, pinned, policy)
    if fmt == "json":
        click.echo(json.dumps({**letters.as_json(checked), "roots": source}, ensure_ascii=False, indent=2))
    else:
        if checked.accepted:
            from toolkit.gate.render import letter_text

            line = letter_text(checked.letter) if checked.letter else _("no signature (none required)")
            click.echo(_("ACCEPTED: {what}").format(what=line))
        else:
            click.echo(_("NOT ACCEPTED: {path}").format(path=checked.path))
            for reason in checked.reasons:
                click.echo(f"  - {reason}")
        for s in checked.verdict.signatures:
            when = s.signed_at or "-"
            click.echo(
                _(
                    "  signature '{field}': {signer} ({subject}); issued by {issuer}; time {time} ({source})"
                ).format(
                    field=s.field,
                    signer=s.signer,
                    subject=", ".join(f"{k}={v}" for k, v in s.subject.items()),
                    issuer=s.issuer,
                    time=when,
                    source=_("timestamp") if s.time_source == "timestamp" else _("claimed by the signer"),
                )
            )
            for problem in s.problems:
                click.echo(f"      {problem_text(problem)}")
        if policy.signers:
            click.echo(_("  allowed signers: {who}").format(who=describe(policy.signers)))
        click.echo(_("  trust roots: {source}").format(source=source))
    if not checked.accepted:
        raise SystemExit(EXIT_BLOCKED)


def _signer(text: str):  # type: ignore[no-untyped-def]
    from toolkit.evidence.pdfsig import SUBJECT_FIELDS
    from toolkit.sop.model import SignerMatch

    fields = []
    for part in text.split(","):
        name, sep, value = part.partition("=")
        if not sep or name.strip() not in SUBJECT_FIELDS or not value.strip():
            raise UserError(
                _("--signer {text}: write FIELD=VALUE pairs separated by ',', FIELD one of {fields}").format(
                    text=text, fields=", ".join(SUBJECT_FIELDS)
                ),
                EXIT_USAGE,
            )
        fields.append((name.strip(), value.strip()))
    return SignerMatch(tuple(sorted(fields)))
