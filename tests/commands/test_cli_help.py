"""The command line speaks the desk's language: every command's one-line help in Chinese."""

from __future__ import annotations

import argparse
import re

from dnw_desk.cli import build_parser

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_command_and_option_help_is_translated() -> None:
    parser = build_parser()
    helps = [parser.description or ""]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps += [choice.help or "" for choice in action._choices_actions]
        elif action.help and action.dest not in ("help", "version"):
            helps.append(action.help)
    untranslated = [text for text in helps if not CJK.search(text)]
    assert untranslated == []
