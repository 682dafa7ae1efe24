"""The calendar override file: dated holidays and make-up working days that win over the packages.

Admins install it when the State Council publishes next year's schedule (usually in November) and
before ``chinesecalendar`` catches up, or for a mid-year change. The format is documented in
``docs/calendar-override.md``; an example ships in ``resources/calendar/override-example.toml``.

Validation is strict and names the line of each problem: ``tomllib`` gives a line only for
syntax errors, so for semantic errors (an impossible date, a duplicate) the offending text is
located in the source ourselves. A file that fails validation is never installed, so the
previous calendar stays.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from dnw_desk.i18n import _

TOP_LEVEL_KEYS = frozenset({"source", "version", "complete_years", "published", "note"})
ENTRY_TYPES = ("holiday", "workday")
ENTRY_KEYS = frozenset({"date", "dates", "name", "note"})
MIN_YEAR, MAX_YEAR = 1990, 2200
# A year in complete_years must not leave a stretch this long without a working day
# (docs/rules.md#calendar).
GUARD_DAYS = 60

_LINE_IN_TOML_ERROR = re.compile(r"\s*\(at line (\d+), column \d+\)\s*$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


class OverrideError(ValueError):
    """The override file is refused; ``problem`` says why and ``line`` where (1-based)."""

    def __init__(self, problem: str, line: int | None = None, filename: str = "") -> None:
        self.problem = problem
        self.line = line
        self.filename = filename
        super().__init__(self.describe())

    def describe(self) -> str:
        where = self.filename or _("calendar override")
        if self.line is not None:
            return _("{where}, line {line}: {problem}").format(
                where=where, line=self.line, problem=self.problem
            )
        return _("{where}: {problem}").format(where=where, problem=self.problem)


@dataclass(frozen=True)
class CalendarOverride:
    """A validated override: each date is either a rest day or a working day, officially."""

    source: str
    version: str
    complete_years: frozenset[int]
    holidays: dict[date, str] = field(hash=False)
    workdays: dict[date, str] = field(hash=False)
    digest: str = ""

    def day(self, day: date) -> bool | None:
        """True = working day, False = rest day, None = the override says nothing about it."""
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        if day.year in self.complete_years:
            return day.weekday() < 5
        return None

    def covers_year(self, year: int) -> bool:
        return year in self.complete_years

    @property
    def label(self) -> str:
        return f"{self.version}@{self.digest[:8]}"


class _Locator:
    """Finds where a key or value was written, for messages about semantically wrong input."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def find(self, pattern: str, occurrence: int = 1, after: int = 0) -> int | None:
        regex = re.compile(pattern)
        seen = 0
        for index, line in enumerate(self.lines[after:], start=after + 1):
            code = line.split("#", 1)[0] if not line.lstrip().startswith("#") else ""
            if regex.search(code):
                seen += 1
                if seen == occurrence:
                    return index
        return None

    def key(self, key: str) -> int | None:
        return self.find(rf"^\s*(\[\[?\s*)?{re.escape(key)}\s*(=|\]\]?)")

    def table_header(self, kind: str, occurrence: int) -> int | None:
        return self.find(rf"^\s*\[\[\s*{re.escape(kind)}\s*\]\]", occurrence)

    def date_text(self, text: str, occurrence: int = 1) -> int | None:
        # Entry dates only: a `published` date equal to an entry must not shift the count.
        return self.find(
            rf"^(?!\s*published\s*=).*(?<![\d-]){re.escape(text)}(?![\d-])", occurrence
        )


def parse_override(text: str, filename: str = "") -> CalendarOverride:
    """Validate ``text`` and return the override, or raise :class:`OverrideError`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _LINE_IN_TOML_ERROR.search(message)
        line = int(match.group(1)) if match else None
        problem = _LINE_IN_TOML_ERROR.sub("", message)
        raise OverrideError(
            _("not valid TOML: {problem}").format(problem=problem), line, filename
        ) from None
    return _Validator(text, data, filename).run()


class _Validator:
    def __init__(self, text: str, data: dict[str, Any], filename: str) -> None:
        self.text = text
        self.data = data
        self.filename = filename
        self.where = _Locator(text)

    def fail(self, problem: str, line: int | None) -> OverrideError:
        return OverrideError(problem, line, self.filename)

    def run(self) -> CalendarOverride:
        for key in self.data:
            if key not in TOP_LEVEL_KEYS and key not in ENTRY_TYPES:
                known = ", ".join(sorted(TOP_LEVEL_KEYS))
                raise self.fail(
                    _(
                        "unknown entry type or key '{key}' (expected holiday, workday, {known})"
                    ).format(key=key, known=known),
                    self.where.key(key),
                )
        source = self._text_value("source")
        version = self._text_value("version")
        complete_years = self._complete_years()
        holidays: dict[date, str] = {}
        workdays: dict[date, str] = {}
        first_line: dict[date, int | None] = {}
        seen_text: dict[str, int] = {}
        for kind in ENTRY_TYPES:
            entries = self.data.get(kind, [])
            if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
                raise self.fail(
                    _("{kind} entries must be written as [[{kind}]] tables").format(kind=kind),
                    self.where.key(kind),
                )
            target = holidays if kind == "holiday" else workdays
            for number, entry in enumerate(entries, start=1):
                header = self.where.table_header(kind, number)
                for day, text in self._entry_dates(kind, entry, header):
                    seen_text[text] = seen_text.get(text, 0) + 1
                    line = self.where.date_text(text, seen_text[text]) or header
                    if day in first_line:
                        raise self.fail(
                            _("duplicate date {day} (first given on line {first})").format(
                                day=day.isoformat(), first=first_line[day] or "?"
                            ),
                            line,
                        )
                    first_line[day] = line
                    target[day] = str(entry.get("name", ""))
        for year in sorted(complete_years):
            if not any(day.year == year for day in first_line):
                raise self.fail(
                    _("year {year} is listed in complete_years but has no entries").format(
                        year=year
                    ),
                    self.where.key("complete_years"),
                )
        digest = hashlib.sha256(self.text.encode("utf-8")).hexdigest()
        override = CalendarOverride(
            source, version, frozenset(complete_years), holidays, workdays, digest
        )
        self._guard(override)
        return override

    def _text_value(self, key: str) -> str:
        value = self.data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(
                _("{key} is required and must be a non-empty text").format(key=key),
                self.where.key(key),
            )
        return value.strip()

    def _complete_years(self) -> set[int]:
        raw = self.data.get("complete_years", [])
        line = self.where.key("complete_years")
        if not isinstance(raw, list):
            raise self.fail(_("complete_years must be a list of years"), line)
        years: set[int] = set()
        for year in raw:
            if isinstance(year, bool) or not isinstance(year, int):
                raise self.fail(_("complete_years must be a list of years"), line)
            if not MIN_YEAR <= year <= MAX_YEAR:
                raise self.fail(_("year {year} is out of range").format(year=year), line)
            years.add(year)
        return years

    def _entry_dates(
        self, kind: str, entry: dict[str, Any], header: int | None
    ) -> list[tuple[date, str]]:
        for key in entry:
            if key not in ENTRY_KEYS:
                raise self.fail(
                    _("unknown key {key} in a [[{kind}]] entry").format(key=key, kind=kind),
                    self.where.find(rf"^\s*{re.escape(key)}\s*=", 1, header or 0) or header,
                )
        if ("date" in entry) == ("dates" in entry):
            raise self.fail(
                _("each [[{kind}]] entry needs exactly one of date or dates").format(kind=kind),
                header,
            )
        raw = [entry["date"]] if "date" in entry else entry["dates"]
        if not isinstance(raw, list) or not raw:
            raise self.fail(_("dates must be a non-empty list of dates"), header)
        return [self._one_date(value, header) for value in raw]

    def _one_date(self, value: object, header: int | None) -> tuple[date, str]:
        if isinstance(value, date) and not hasattr(value, "hour"):
            day = value
        elif isinstance(value, str) and (match := _ISO_DATE.match(value.strip())):
            try:
                day = date(*(int(part) for part in match.groups()))
            except ValueError:
                raise self.fail(
                    _("{text} is not a date in the calendar").format(text=value),
                    self.where.date_text(value.strip()) or header,
                ) from None
        else:
            raise self.fail(
                _("{value} is not a date (write YYYY-MM-DD)").format(value=value), header
            )
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            raise self.fail(
                _("year {year} is out of range").format(year=day.year),
                self.where.date_text(day.isoformat()) or header,
            )
        return day, day.isoformat()

    def _guard(self, override: CalendarOverride) -> None:
        # Refuse a complete year that would leave no working day for 60 days (e.g. a pasted range
        # of holidays); it would otherwise only surface later as a failing deadline.
        for year in sorted(override.complete_years):
            run = 0
            day = date(year, 1, 1)
            while day.year == year:
                run = 0 if override.day(day) else run + 1
                if run > GUARD_DAYS:
                    raise self.fail(
                        _("no working day for more than {days} days up to {day}").format(
                            days=GUARD_DAYS, day=day.isoformat()
                        ),
                        self.where.key("complete_years"),
                    )
                day += timedelta(days=1)
