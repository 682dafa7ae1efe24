"""``dnw-desk --self-test``: prove this installation (often the frozen build) can do its job.

In a temporary data dir: create and migrate the database, register a case, render its receipt to
PNG and to a python-escpos ``Dummy`` printer, write the PDF, check the bundled fonts and the
compiled translations. One
PASS/FAIL line per step; exit 0 only when every step passed.
"""

from __future__ import annotations

import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any


@dataclass
class _Run:
    data_dir: Path
    values: dict[str, Any] = field(default_factory=dict)
    failed: int = 0

    def step(self, name: str, fn: Callable[[], str]) -> None:
        started = time.perf_counter()
        try:
            detail = fn()
        except Exception as exc:  # report every step, whatever breaks
            self.failed += 1
            print(f"FAIL {name}: {exc.__class__.__name__}: {exc}", flush=True)
            traceback.print_exc(limit=3, file=sys.stderr)
            return
        elapsed = (time.perf_counter() - started) * 1000
        print(f"PASS {name} ({elapsed:.0f} ms){': ' + detail if detail else ''}", flush=True)


def run_self_test() -> int:
    with tempfile.TemporaryDirectory(prefix="dnw-selftest-") as tmp:
        run = _Run(Path(tmp) / "data")
        for name, fn in _steps(run):
            run.step(name, fn)
        # Close the database before the directory goes away.
        desk = run.values.get("desk")
        if desk is not None:
            desk.close()
    print("self-test passed" if not run.failed else f"self-test FAILED ({run.failed} step(s))")
    return 0 if not run.failed else 1


def _steps(run: _Run) -> list[tuple[str, Callable[[], str]]]:
    return [
        (title, partial(step, run))
        for title, step in (
            ("database created and migrated", _database),
            ("case registered", _register),
            ("receipt rendered to PNG", _receipt_png),
            ("receipt sent to a Dummy ESC/POS printer", _receipt_escpos),
            ("receipt PDF written", _receipt_pdf),
            ("fonts", _fonts),
            ("translations", _catalogue),
        )
    ]


def _database(run: _Run) -> str:
    from dnw_desk.clock import HALL_TZ, FakeClock
    from dnw_desk.services.desk import open_desk
    from dnw_desk.store.instance import HEAD_REVISION
    from dnw_desk.store.schema import stored_revision

    clock = FakeClock(datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ))
    run.values["desk"] = desk = open_desk(run.data_dir, clock)
    revision = stored_revision(desk.db.path)
    if revision != HEAD_REVISION:
        raise RuntimeError(f"schema at {revision}, expected {HEAD_REVISION}")
    if desk.db.integrity_check() != "ok":
        raise RuntimeError("integrity check failed")
    return f"schema {revision}, pragmas {desk.db.pragmas()}"


def _register(run: _Run) -> str:
    from dnw_desk.domain.registration import (
        Complainant,
        ComplainantKind,
        Matter,
        Registration,
    )
    from dnw_desk.domain.roles import Actor, Role

    desk = run.values["desk"]
    registration = Registration(
        Complainant(ComplainantKind.PERSON, "𠮷丽娜", "13812345678"),
        Matter(category="3", service_item="不动产登记", lead_unit=desk.settings.units[0]),
    )
    saved = desk.cases.register(
        registration,
        Actor("selftest", "0000", Role.CLERK),
        categories=desk.settings.categories,
        units=desk.settings.units,
    )
    run.values["case"] = saved.case
    return str(saved.case.number)


def _receipt_png(run: _Run) -> str:
    from dnw_desk.printing.jobs import ensure_qt, layout_for, write_png
    from dnw_desk.services.receipts import receipt_data

    ensure_qt()
    layout = layout_for(receipt_data(run.values["desk"].settings, run.values["case"]))
    run.values["layout"] = layout
    target = run.data_dir / "receipt.png"
    write_png(layout, target, 576)
    return f"{target.stat().st_size} bytes"


def _receipt_escpos(run: _Run) -> str:
    from escpos.printer import Dummy

    from dnw_desk.printing.escpos_out import profile_named
    from dnw_desk.printing.jobs import OutputMode, escpos_bytes

    printer = Dummy()
    printer._raw(escpos_bytes(run.values["layout"], profile_named("80mm"), OutputMode.RASTER))
    output: bytes = printer.output
    if b"\x1dv0" not in output:
        raise RuntimeError("no raster image in the printer output")
    return f"{len(output)} bytes to the Dummy printer"


def _receipt_pdf(run: _Run) -> str:
    from dnw_desk.printing.jobs import write_pdf

    target = run.data_dir / "receipt.pdf"
    write_pdf(run.values["layout"], target, 576)
    content = target.read_bytes()
    if not content.startswith(b"%PDF") or b"FontFile2" not in content:
        raise RuntimeError("the PDF has no embedded TrueType font")
    return f"{len(content)} bytes"


def _fonts(_run: _Run) -> str:
    from dnw_desk.printing.fonts import missing_glyphs

    sample = "受理回执办不成事反映窗口𠮷买买提·艾力¥，。"
    missing = missing_glyphs(sample)
    if missing:
        raise RuntimeError(f"no glyph for {missing}")
    return "CJK, Ext-B and Latin covered"


def _catalogue(_run: _Run) -> str:
    from dnw_desk.i18n import DEFAULT_LANGUAGE, catalogue_path, translate_in

    # A build without the compiled catalogue would show every screen in English.
    if translate_in(DEFAULT_LANGUAGE, "Acknowledgement receipt") == "Acknowledgement receipt":
        raise RuntimeError(f"no compiled catalogue at {catalogue_path(DEFAULT_LANGUAGE)}")
    return f"{DEFAULT_LANGUAGE} compiled"
