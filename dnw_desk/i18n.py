"""gettext for everything the user reads: screens, receipts, reports.

Message ids are English; Simplified Chinese (``zh_CN``) is the default language. The catalogues'
source is ``resources/locale/<lang>/LC_MESSAGES/dnw_desk.po`` (kept in git; ``make messages``
extracts the ids from the code with Babel and merges them in). The ``.mo`` files beside them are
compiled from the ``.po`` by ``make`` (run, test, dist) and read here with the standard
``gettext``; they are not kept in git.
"""

from __future__ import annotations

import gettext
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

from dnw_desk.paths import resource_path

log = logging.getLogger(__name__)

DOMAIN = "dnw_desk"
DEFAULT_LANGUAGE = "zh_CN"
LANGUAGES = {"zh_CN": "简体中文", "en": "English"}


def catalogue_path(language: str, suffix: str = ".mo") -> str:
    return str(resource_path("locale", language, "LC_MESSAGES", DOMAIN + suffix))


@cache
def translations(language: str) -> gettext.NullTranslations:
    found = gettext.translation(
        DOMAIN, localedir=str(resource_path("locale")), languages=[language], fallback=True
    )
    if type(found) is gettext.NullTranslations and language != "en":
        # A source checkout where ``make`` has not compiled the catalogues yet.
        log.warning("no compiled catalogue %s: showing the English ids", catalogue_path(language))
    return found


_current: gettext.NullTranslations = gettext.NullTranslations()
_current_language = "en"
# A language for this thread or task only (a server request), over the process language.
_speaking: ContextVar[gettext.NullTranslations | None] = ContextVar("dnw_speaking", default=None)


def set_language(language: str) -> None:
    global _current, _current_language
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; choose one of {sorted(LANGUAGES)}")
    _current = translations(language)
    _current_language = language


def current_language() -> str:
    return _current_language


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Translate into ``language`` inside the block, in this thread or task only: the server
    answers a zh_CN page and an English one at the same time (the process language would be
    switched under the other request's feet)."""
    token = _speaking.set(translations(language))
    try:
        yield
    finally:
        _speaking.reset(token)


def _(message: str) -> str:
    """Translate ``message`` into the current language. The empty string stays empty (gettext
    would answer it with the catalogue's header)."""
    return (_speaking.get() or _current).gettext(message) if message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    return (_speaking.get() or _current).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a module-level constant for extraction; translate it where it is shown."""
    return message


def translate_in(language: str, message: str) -> str:
    """Translate into a given language without changing the current one (receipts, reports)."""
    return translations(language).gettext(message) if message else message


set_language(DEFAULT_LANGUAGE)
