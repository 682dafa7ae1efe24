"""The catalogues: parseable, no duplicates, complete for every message in the code, holding no
message the code does not use, and compiled into what the desk reads."""

from __future__ import annotations

import ast
import gettext
import re
from functools import cache
from pathlib import Path

import polib
import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

from dnw_desk.i18n import translations
from dnw_desk.paths import resource_path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "dnw_desk"
# The gettext functions and the position of their message (0-based): _() and N_() take it first,
# tr(lang, msg) / _t(lang, msg) second.
MARKERS = {"_": 0, "N_": 0, "ngettext": 0, "tr": 1, "_t": 1}


def _catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(resource_path("locale", language, "LC_MESSAGES", "dnw_desk.po")))


def _messages_in_code() -> dict[str, str]:
    """Every literal passed to a gettext function in the package, with where it was found (the
    syntax tree, so also inside f-strings)."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            index = MARKERS.get(node.func.id)
            if index is None or len(node.args) <= index:
                continue
            argument = node.args[index]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                found.setdefault(argument.value, f"{path.relative_to(PACKAGE)}:{node.lineno}")
    return found


def _makefile_keywords() -> dict[str, tuple[int, ...] | None]:
    """What ``make messages`` extracts: Babel's defaults plus the Makefile's -k options."""
    line = next(
        line
        for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
        if line.startswith("MESSAGE_KEYWORDS")
    )
    keywords: dict[str, tuple[int, ...] | None] = dict(DEFAULT_KEYWORDS)
    for spec in re.findall(r"-k (\S+)", line):
        name, _sep, positions = spec.partition(":")
        keywords[name] = tuple(int(p) for p in positions.split(",")) if positions else None
    return keywords


@cache
def _extracted_by_babel() -> frozenset[str]:
    messages = extract_from_dir(
        str(PACKAGE),
        method_map=[("**.py", "python"), ("server/portal/templates/**.html", "jinja2")],
        options_map={"server/portal/templates/**.html": {"extensions": "jinja2.ext.i18n"}},
        keywords=_makefile_keywords(),
    )
    return frozenset(
        message[0] if isinstance(message, tuple) else message
        for _file, _line, message, _comments, _context in messages
    )


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_catalogues_parse_and_have_no_duplicate_ids(language: str) -> None:
    ids = [entry.msgid for entry in _catalogue(language) if not entry.obsolete]
    assert len(ids) == len(set(ids))


def test_every_message_in_the_code_has_a_chinese_translation() -> None:
    translated = {e.msgid for e in _catalogue("zh_CN") if e.msgstr and not e.obsolete}
    missing = {msg: where for msg, where in _messages_in_code().items() if msg not in translated}
    assert not missing, "\n".join(f"{where}: {msg!r}" for msg, where in sorted(missing.items()))


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_catalogue_holds_no_message_the_code_does_not_use(language: str) -> None:
    used = _extracted_by_babel()
    unused = sorted(e.msgid for e in _catalogue(language) if e.msgid not in used)
    assert not unused, "no code uses these (make messages drops them):\n" + "\n".join(unused)


def test_make_messages_sees_every_message_the_code_uses() -> None:
    """Babel's extractor (Python 3.11) does not look inside f-strings: a message only there
    would be dropped from the catalogue by ``make messages``."""
    extracted = _extracted_by_babel()
    unseen = {m: w for m, w in _messages_in_code().items() if m not in extracted}
    assert not unseen, "\n".join(f"{where}: {msg!r}" for msg, where in sorted(unseen.items()))


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_compiled_catalogue_says_what_the_po_says(language: str) -> None:
    compiled = translations(language)
    usable = [e for e in _catalogue(language) if e.msgstr and "fuzzy" not in e.flags]
    assert usable
    assert {e.msgid: compiled.gettext(e.msgid) for e in usable} == {
        e.msgid: e.msgstr for e in usable
    }


def test_chinese_has_one_plural_form() -> None:
    zh, en = translations("zh_CN"), translations("en")
    assert isinstance(zh, gettext.GNUTranslations) and isinstance(en, gettext.GNUTranslations)
    assert [zh.plural(n) for n in (0, 1, 5)] == [0, 0, 0]
    assert [en.plural(n) for n in (0, 1, 5)] == [1, 0, 1]


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_empty_string_translates_to_itself(language: str) -> None:
    """gettext answers "" with the catalogue's header (it showed as a label of the form)."""
    from dnw_desk import i18n

    assert i18n.translate_in(language, "") == ""
    previous = i18n.current_language()
    i18n.set_language(language)
    try:
        assert i18n._("") == ""
    finally:
        i18n.set_language(previous)


def test_speaking_a_language_holds_for_this_thread_only() -> None:
    """A server request in English beside one in Chinese: neither changes the other's words."""
    import threading

    from dnw_desk.i18n import _, set_language, speaking, translate_in

    message = "Opening the database…"
    set_language("zh_CN")
    inside = threading.Event()
    leave = threading.Event()
    seen: list[str] = []

    def english_request() -> None:
        with speaking("en"):
            seen.append(_(message))
            inside.set()
            assert leave.wait(10)
            seen.append(_(message))

    thread = threading.Thread(target=english_request)
    thread.start()
    assert inside.wait(10)
    chinese = _(message)  # while the other thread speaks English
    leave.set()
    thread.join(10)
    assert chinese == translate_in("zh_CN", message) != message
    assert seen == [message, message]
    with speaking("en"):
        assert _(message) == message
    assert _(message) == chinese
