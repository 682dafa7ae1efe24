"""Rendering the portal's Jinja2 templates in the reader's language (zh_CN by default)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from dnw_desk.clock import HALL_TZ
from dnw_desk.i18n import translations

TEMPLATES = Path(__file__).parent / "templates"
LANGUAGES = ("zh_CN", "en")
LANG_COOKIE = "dnw_lang"


def pick_language(query: str | None, cookie: str | None) -> str:
    for choice in (query, cookie):
        if choice in LANGUAGES:
            return str(choice)
    return LANGUAGES[0]


def when(moment: datetime | None) -> str:
    return moment.astimezone(HALL_TZ).strftime("%Y-%m-%d %H:%M") if moment else "—"


def duration(left: timedelta | None, lang: str) -> str:
    """Working time as hours and minutes ("-1:30" when that much overdue)."""
    if left is None:
        return "—"
    sign = "-" if left < timedelta(0) else ""
    minutes = int(abs(left).total_seconds() // 60)
    return f"{sign}{minutes // 60}:{minutes % 60:02d}"


@cache
def environment(lang: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters["when"] = when
    env.globals["lang"] = lang
    env.globals["html_lang"] = "zh-CN" if lang == "zh_CN" else "en"
    env.globals["other_lang"] = "en" if lang == "zh_CN" else "zh_CN"
    env.globals["other_lang_label"] = "English" if lang == "zh_CN" else "中文"
    return env


def render(lang: str, template: str, **context: Any) -> str:
    env = environment(lang)
    env_context = {
        "duration": lambda left: duration(left, lang),
        "new_op_id": lambda: str(uuid.uuid4()),  # a resent form records its step once
        **context,
    }
    return env.get_template(template).render(**env_context)
