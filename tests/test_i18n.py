"""The catalogues: parseable, no duplicates, and complete for every message in the code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import polib
import pytest

from dnw_desk.i18n import PoTranslations
from dnw_desk.paths import resource_path

PACKAGE = Path(__file__).resolve().parents[1] / "dnw_desk"
MARKERS = {"_", "N_"}


def _catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(resource_path("locale", language, "LC_MESSAGES", "dnw_desk.po")))


def _messages_in_code() -> dict[str, str]:
    """Every literal passed to _() or N_() in the package, with where it was found."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in MARKERS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.setdefault(node.args[0].value, f"{path.relative_to(PACKAGE)}:{node.lineno}")
    return found


def test_chinese_has_one_plural_form() -> None:
    zh = PoTranslations({}, {("{n} case", 0): "{n} 个案件"}, nplurals=1)
    assert zh.ngettext("{n} case", "{n} cases", 1) == "{n} 个案件"
    assert zh.ngettext("{n} case", "{n} cases", 5) == "{n} 个案件"
    en = PoTranslations({}, {}, nplurals=2)
    assert en.ngettext("{n} case", "{n} cases", 5) == "{n} cases"


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_catalogues_parse_and_have_no_duplicate_ids(language: str) -> None:
    ids = [entry.msgid for entry in _catalogue(language) if not entry.obsolete]
    assert len(ids) == len(set(ids))


def test_every_message_in_the_code_has_a_chinese_translation() -> None:
    translated = {e.msgid for e in _catalogue("zh_CN") if e.msgstr and not e.obsolete}
    missing = {msg: where for msg, where in _messages_in_code().items() if msg not in translated}
    assert not missing, "\n".join(f"{where}: {msg!r}" for msg, where in sorted(missing.items()))


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_own_po_reader_reads_what_polib_reads(language: str) -> None:
    from dnw_desk.i18n import read_po

    po = _catalogue(language)
    catalogue, plurals, nplurals = read_po(
        resource_path("locale", language, "LC_MESSAGES", "dnw_desk.po")
    )
    usable = [e for e in po if not e.obsolete and "fuzzy" not in e.flags]
    assert catalogue == {e.msgid: e.msgstr for e in usable if not e.msgid_plural and e.msgstr}
    assert plurals == {
        (e.msgid, int(index)): text
        for e in usable
        if e.msgid_plural
        for index, text in e.msgstr_plural.items()
        if text
    }
    found = re.search(r"nplurals\s*=\s*(\d+)", po.metadata.get("Plural-Forms", ""))
    assert nplurals == (int(found.group(1)) if found else 2)
