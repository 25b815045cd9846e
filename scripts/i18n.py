"""Keep the message catalogs in step with the code.

    python scripts/i18n.py           extract messages, update every .po, compile every .mo
    python scripts/i18n.py --check   fail (exit 1) when a catalog is stale or has untranslated messages

Message ids are the English texts in the code; translators edit ``toolkit/locale/<lang>/LC_MESSAGES/
sopkit.po``. Needs Babel (installed with the ``dev`` extra).
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "toolkit"
LOCALE = PACKAGE / "locale"
DOMAIN = "sopkit"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "NN_": (1, 2)}


def extract() -> Catalog:
    template = Catalog(project="sop-toolkit", domain=DOMAIN)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        template.add(
            message, None, [(f"toolkit/{filename}", lineno)], auto_comments=comments, context=context
        )
    return template


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def updated(lang: str, template: Catalog) -> Catalog:
    with po_path(lang).open("rb") as f:
        catalog = read_po(f, locale=lang, domain=DOMAIN)
    kept = (catalog.creation_date, catalog.revision_date)
    catalog.update(template, update_header_comment=False)
    # keep the dates: the files then change only when the messages do (and stay reproducible)
    catalog.creation_date, catalog.revision_date = kept
    return catalog


def render_po(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    # no line numbers: the catalog changes only when the messages do
    write_po(buf, catalog, width=100, sort_output=False, ignore_obsolete=True, include_lineno=False)
    return buf.getvalue()


def render_mo(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, catalog)
    return buf.getvalue()


def problems(lang: str, catalog: Catalog) -> list[str]:
    out = []
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy:
            out.append(f"{lang}: fuzzy (check the translation): {message.id!r}")
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            out.append(f"{lang}: untranslated: {message.id!r}")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report, change nothing")
    args = parser.parse_args()
    template = extract()
    languages = sorted(p.name for p in LOCALE.iterdir() if po_path(p.name).exists())
    failures: list[str] = []
    for lang in languages:
        catalog = updated(lang, template)
        po, mo = render_po(catalog), render_mo(catalog)
        mo_path = po_path(lang).with_suffix(".mo")
        if args.check:
            if po_path(lang).read_bytes() != po:
                failures.append(f"{lang}: {po_path(lang)} is stale: run python scripts/i18n.py")
            if not mo_path.exists() or mo_path.read_bytes() != mo:
                failures.append(f"{lang}: {mo_path} is stale: run python scripts/i18n.py")
        else:
            po_path(lang).write_bytes(po)
            mo_path.write_bytes(mo)
        failures += problems(lang, catalog)
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
