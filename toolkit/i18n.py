"""Messages in Indonesian (the default) and English, through gettext.

Message ids in the code are English; ``toolkit/locale/id`` holds the Indonesian catalog (edit the ``.po``
and run ``python scripts/i18n.py`` to extract, update and compile). The language comes from ``--lang``,
else ``SOPKIT_LANG``, else Indonesian.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Sequence
from pathlib import Path

DOMAIN = "sopkit"
LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
LOCALE_DIR = Path(__file__).parent / "locale"

_current: tuple[str, gettext.NullTranslations] | None = None


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    return _translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it yet."""
    return message


def NN_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular/plural pair for extraction."""
    return singular, plural


def current_language() -> str:
    if _current is None:
        set_language(language_from_env(os.environ))
    assert _current is not None
    return _current[0]


def language_from_env(env: os._Environ[str] | dict[str, str]) -> str:
    lang = env.get("SOPKIT_LANG", "").strip().lower()
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def language_from_argv(argv: Sequence[str]) -> str | None:
    """Find ``--lang X`` / ``--lang=X`` before the command line is parsed (help text needs it)."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1].lower()
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1].lower()
    return None


def set_language(lang: str) -> None:
    """Switch every later message (ours and click's) to ``lang``; unknown languages fall back."""
    global _current  # noqa: PLW0603 - one process-wide language, like gettext itself
    if lang not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    if _current is not None and _current[0] == lang:
        return  # the catalog is loaded and click already points at it
    translations = catalog(lang)
    _current = (lang, translations)
    _translate_click(translations)


def catalog(lang: str) -> gettext.NullTranslations:
    """The messages of ``lang`` whatever the current language (to read text written in either)."""
    return gettext.NullTranslations() if lang == "en" else _catalog(lang)


def _catalog(lang: str) -> gettext.NullTranslations:
    """Our compiled catalog for ``lang``, read straight from where it ships (``gettext.translation``
    would look it up through the locale module, which costs more than reading it)."""
    try:
        with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as catalog:
            return gettext.GNUTranslations(catalog)
    except OSError:
        return gettext.NullTranslations()


def _translations() -> gettext.NullTranslations:
    if _current is None:
        set_language(language_from_env(os.environ))
    assert _current is not None
    return _current[1]


def _translate_click(translations: gettext.NullTranslations) -> None:
    """Point click's own messages (Usage, Options, errors) at our catalog.

    click looks its strings up through the process-wide gettext domain, which can only be steered by
    environment variables that every child process (git!) would inherit. Each click module binds the
    names ``_`` and ``ngettext`` at import, so rebinding those names is the narrowest switch.
    """
    import click.core
    import click.decorators
    import click.exceptions
    import click.formatting
    import click.parser
    import click.types

    for module in (
        click.core,
        click.decorators,
        click.exceptions,
        click.formatting,
        click.parser,
        click.types,
    ):
        if hasattr(module, "_"):
            module._ = translations.gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = translations.ngettext  # type: ignore[attr-defined]


# click's strings that users meet; listed so that extraction puts them in our catalog.
CLICK_MESSAGES = (
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    N_("Show this message and exit."),
    N_("Show the version and exit."),
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing parameter"),
    N_("Missing command."),
    N_("No such option {name!r}."),
    N_("No such command {name!r}."),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Invalid value: {message}"),
    N_("{name} {filename!r} does not exist."),
    N_("{name} {filename!r} is a directory."),
    N_("{name} {filename!r} is a file."),
    N_("{name} {filename!r} is not readable."),
    N_("file"),
    N_("directory"),
    N_("path"),
    N_("Option {name!r} does not take a value."),
    N_("Aborted!"),
    N_("env var: {var}"),
    N_("default: {default}"),
    N_("%(prog)s, version %(version)s"),
    NN_("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"),
    NN_("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"),
    NN_("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."),
    NN_("{value!r} is not {choice}.", "{value!r} is not one of {choices}."),
)
