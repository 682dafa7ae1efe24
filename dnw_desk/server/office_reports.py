"""The efficiency office's figures as data: per hall and unit for a month (the portal's
dashboard, the JSON for the provincial platform, the bulletin files)."""

from __future__ import annotations

import re
import tempfile
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from dnw_desk.clock import HALL_TZ
from dnw_desk.domain.unit_figures import UnitBulletin, UnitFigures
from dnw_desk.i18n import speaking
from dnw_desk.server.figures import hall_bulletins
from dnw_desk.server.halls import name_of
from dnw_desk.server.portal.queue import working_time

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str | None, now: datetime) -> date:
    """``YYYY-MM`` (the current month when empty); ValueError with what is expected."""
    if not text:
        return date(now.year, now.month, 1)
    found = MONTH.match(text)
    if found is None or not 1 <= int(found.group(2)) <= 12:
        raise ValueError("month is YYYY-MM, e.g. 2026-11")
    return date(int(found.group(1)), int(found.group(2)), 1)


@dataclass(frozen=True)
class OfficeFigures:
    month: date
    bulletins: dict[str, UnitBulletin]  # per hall
    hall_names: dict[str, str]
    generated_at: datetime

    @property
    def rows(self) -> list[tuple[str, UnitFigures]]:
        """(hall, unit figures), worst first within the province."""
        rows = [(hall, unit) for hall, b in self.bulletins.items() for unit in b.units]
        rows.sort(key=lambda r: (-r[1].penalty, -r[1].overdue, r[0], r[1].unit))
        return rows

    @property
    def totals(self) -> UnitFigures:
        return self.combined("").totals

    def combined(self, label_format: str = "{hall} · {unit}") -> UnitBulletin:
        """One bulletin of every hall's units (named with their hall: names repeat)."""
        units = tuple(
            replace(unit, unit=label_format.format(hall=self.hall_names[hall], unit=unit.unit))
            if label_format
            else unit
            for hall, unit in self.rows
        )
        return UnitBulletin(self.month, units, self.generated_at)


def office_figures(
    conn: Connection, month: date, now: datetime, halls: set[str] | None
) -> OfficeFigures:
    bulletins = hall_bulletins(conn, month, now, working_time(), halls)
    names = {hall: name_of(conn, hall) or hall for hall in bulletins}
    # The server's clock is UTC; the bulletin's printing time is read in the hall.
    return OfficeFigures(month, bulletins, names, now.astimezone(HALL_TZ))


def figures_json(figures: OfficeFigures) -> dict[str, Any]:
    def values(unit: UnitFigures) -> dict[str, Any]:
        return {
            **asdict(unit),
            "on_time_rate": unit.on_time_rate,
            "satisfied_rate": unit.satisfied_rate,
            "penalty": unit.penalty,
        }

    return {
        "month": f"{figures.month:%Y-%m}",
        "units": [
            {"hall": hall, "hall_name": figures.hall_names[hall], **values(unit)}
            for hall, unit in figures.rows
        ],
        "halls": [
            {"hall": hall, "hall_name": figures.hall_names[hall], **values(b.totals)}
            for hall, b in figures.bulletins.items()
        ],
        "totals": values(figures.totals),
    }


def bulletin_file(figures: OfficeFigures, kind: str, lang: str, scope_name: str) -> bytes:
    """The bulletin as PDF or XLSX bytes, written by the desk's report code (reportlab and
    openpyxl: the ``reports`` extra), in the page's language for this request only."""
    from dnw_desk.reports.units import write_units_pdf, write_units_xlsx

    bulletin = figures.combined("{unit}" if len(figures.bulletins) == 1 else "{hall} · {unit}")
    writer = write_units_pdf if kind == "pdf" else write_units_xlsx
    with speaking(lang), tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / f"bulletin.{kind}"
        writer(bulletin, out, hall_name=scope_name)
        return out.read_bytes()
