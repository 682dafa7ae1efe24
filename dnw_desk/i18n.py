"""gettext for everything the user reads: screens, receipts, reports.

Message ids are English; Simplified Chinese (``zh_CN``) is the default language. Catalogues are
plain ``.po`` files in ``resources/locale/<lang>/LC_MESSAGES/dnw_desk.po``, read directly so no
build step is needed to compile ``.mo`` files. The reader is a small one of our own: the catalogue
is read at every start before the window shows, and polib takes ~13 ms for it where this takes
~2 (docs/architecture.md#performance-budgets); a test checks it reads exactly what polib reads.
"""

from __future__ import annotations

import gettext
import re
from functools import cache
from pathlib import Path

from dnw_desk.paths import resource_path

DOMAIN = "dnw_desk"
DEFAULT_LANGUAGE = "zh_CN"
LANGUAGES = {"zh_CN": "简体中文", "en": "English"}


class PoTranslations(gettext.NullTranslations):
    def __init__(
        self,
        catalogue: dict[str, str],
        plurals: dict[tuple[str, int], str],
        nplurals: int = 2,
    ) -> None:
        super().__init__()
        self._catalogue = catalogue
        self._plurals = plurals
        self._nplurals = nplurals

    def gettext(self, message: str) -> str:
        return self._catalogue.get(message) or message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        # Chinese has one form (nplurals=1); English-like languages two. Others are not shipped.
        index = 0 if self._nplurals == 1 or n == 1 else 1
        found = self._plurals.get((msgid1, index))
        if found:
            return found
        return msgid1 if n == 1 else msgid2


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_ESCAPE = re.compile(r"\\(.)")


def _unquote(text: str) -> str:
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(1)), text.strip()[1:-1])


def read_po(path: Path) -> tuple[dict[str, str], dict[tuple[str, int], str], int]:
    """(messages, plural forms by (msgid, index), nplurals) of a ``.po`` file, leaving out
    fuzzy and obsolete entries and untranslated ones."""
    catalogue: dict[str, str] = {}
    plurals: dict[tuple[str, int], str] = {}
    nplurals = 2
    entry: dict[str, str] = {}
    key = ""
    fuzzy = False

    def flush() -> None:
        nonlocal entry, fuzzy, nplurals
        msgid = entry.get("msgid")
        if msgid == "":  # the header (read even when marked fuzzy, as polib does)
            found = re.search(r"nplurals\s*=\s*(\d+)", entry.get("msgstr", ""))
            if found:
                nplurals = int(found.group(1))
        elif msgid is not None and not fuzzy:
            if "msgid_plural" in entry:
                for name, text in entry.items():
                    if name.startswith("msgstr[") and text:
                        plurals[(msgid, int(name[7:-1]))] = text
            elif entry.get("msgstr"):
                catalogue[msgid] = entry["msgstr"]
        entry, fuzzy = {}, False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#"):
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
        elif line.startswith('"'):
            entry[key] = entry.get(key, "") + _unquote(line)
        else:
            key, _sep, rest = line.partition(" ")
            if key == "msgid" and "msgid" in entry:
                flush()  # no blank line between two entries
            entry[key] = _unquote(rest)
    flush()
    return catalogue, plurals, nplurals


@cache
def translations(language: str) -> gettext.NullTranslations:
    po_file = resource_path("locale", language, "LC_MESSAGES", f"{DOMAIN}.po")
    if not po_file.exists():
        return gettext.NullTranslations()
    return PoTranslations(*read_po(po_file))


_current: gettext.NullTranslations = gettext.NullTranslations()
_current_language = "en"


def set_language(language: str) -> None:
    global _current, _current_language
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; choose one of {sorted(LANGUAGES)}")
    _current = translations(language)
    _current_language = language


def current_language() -> str:
    return _current_language


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a module-level constant for extraction; translate it where it is shown."""
    return message


def translate_in(language: str, message: str) -> str:
    """Translate into a given language without changing the current one (receipts, reports)."""
    return translations(language).gettext(message)


set_language(DEFAULT_LANGUAGE)
