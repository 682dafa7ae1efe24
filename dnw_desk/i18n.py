"""gettext for everything the user reads: screens, receipts, reports.

Message ids are English; Simplified Chinese (``zh_CN``) is the default language. Catalogues are
plain ``.po`` files in ``resources/locale/<lang>/LC_MESSAGES/dnw_desk.po``, read with polib so no
build step is needed to compile ``.mo`` files.
"""

from __future__ import annotations

import gettext
import re
from functools import cache

import polib

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


@cache
def translations(language: str) -> gettext.NullTranslations:
    po_file = resource_path("locale", language, "LC_MESSAGES", f"{DOMAIN}.po")
    if not po_file.exists():
        return gettext.NullTranslations()
    catalogue: dict[str, str] = {}
    plurals: dict[tuple[str, int], str] = {}
    po = polib.pofile(str(po_file))
    match = re.search(r"nplurals\s*=\s*(\d+)", po.metadata.get("Plural-Forms", ""))
    for entry in po:
        if entry.obsolete or "fuzzy" in entry.flags:
            continue
        if entry.msgid_plural:
            for index, text in entry.msgstr_plural.items():
                if text:
                    plurals[(entry.msgid, int(index))] = text
        elif entry.msgstr:
            catalogue[entry.msgid] = entry.msgstr
    return PoTranslations(catalogue, plurals, int(match.group(1)) if match else 2)


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
