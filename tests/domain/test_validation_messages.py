"""Every message of the validators, masking and numbering is translated, placeholders intact."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import polib
import pytest

import dnw_desk
from dnw_desk.paths import resource_path

PACKAGE = Path(dnw_desk.__file__).parent
MODULES = [
    "domain/resident_id.py",
    "domain/credit_code.py",
    "domain/phone.py",
    "domain/names.py",
    "domain/numbering.py",
    "commands/validate.py",
]


def msgids(module: str) -> list[str]:
    tree = ast.parse((PACKAGE / module).read_text(encoding="utf-8"))
    return [
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in {"_", "N_"}
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ]


def placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"\{(\w+)\}", text))


@pytest.fixture(scope="module")
def chinese() -> dict[str, str]:
    po_file = resource_path("locale", "zh_CN", "LC_MESSAGES", "dnw_desk.po")
    return {entry.msgid: entry.msgstr for entry in polib.pofile(str(po_file))}


@pytest.mark.parametrize("module", MODULES)
def test_every_message_has_a_chinese_translation(module: str, chinese: dict[str, str]) -> None:
    found = msgids(module)
    assert found
    for msgid in found:
        assert chinese.get(msgid), f"{module}: no zh_CN translation for {msgid!r}"
        assert placeholders(chinese[msgid]) == placeholders(msgid), msgid


def test_validate_command_and_domain_stay_free_of_qt_and_sqlalchemy() -> None:
    code = (
        "import sys, json\n"
        "import dnw_desk.domain.validation, dnw_desk.domain.masking\n"
        "import dnw_desk.domain.numbering, dnw_desk.commands.validate\n"
        "print(json.dumps(sorted(m for m in sys.modules\n"
        "    if m.split('.')[0] in {'PySide6', 'sqlalchemy', 'shiboken6'})))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []
