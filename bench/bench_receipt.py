"""Receipt rendering (docs/architecture.md#performance-budgets, issue 4): raster image p95 ≤ 50 ms,
PDF p95 ≤ 100 ms.

Floors, measured in the same run:

* raster — allocating, filling and converting a blank QImage of the same size (the cost of the
  pixels alone, without layout, text or QR code);
* PDF — a bare reportlab canvas of the same page size with one line of the same embedded
  font, saved to memory (the cost of producing a PDF at all);
* ESC/POS — the raster job (1-bit conversion and ``GS v 0`` strips) against the raster floor.

The first render of each kind (font loading, registering with reportlab) is reported on its own.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable

from bench.common import Result, p50, percentile, print_results, result

RUNS = 200


def _times(fn: Callable[[], object], runs: int = RUNS) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> list[Result]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QColor, QGuiApplication, QImage

    app = QGuiApplication.instance() or QGuiApplication([])
    from reportlab.pdfgen.canvas import Canvas

    from dnw_desk.printing.escpos_out import profile_named, raster_job
    from dnw_desk.printing.fonts import CJK
    from dnw_desk.printing.layout import receipt_layout
    from dnw_desk.printing.pdf import _register, render_pdf
    from dnw_desk.printing.raster import DOTS_80MM, render
    from dnw_desk.printing.sample import sample_receipt

    layout = receipt_layout(sample_receipt())
    started = time.perf_counter()
    image = render(layout, DOTS_80MM)
    first_raster = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    pdf_bytes = render_pdf(layout, DOTS_80MM)
    first_pdf = (time.perf_counter() - started) * 1000
    width, height = image.width(), image.height()

    def blank() -> None:
        img = QImage(width, height, QImage.Format.Format_RGB32)
        img.fill(QColor(255, 255, 255))
        img.convertToFormat(QImage.Format.Format_Grayscale8)

    def bare_pdf() -> None:
        buffer = io.BytesIO()
        canvas = Canvas(buffer, pagesize=(80 * 2.8346, height * 0.125 * 2.8346))
        canvas.setFont(_register(CJK), 8.5)
        canvas.drawString(10, 10, "受理回执 AH08-20261124-0007K")
        canvas.showPage()
        canvas.save()

    profile = profile_named("80mm")
    raster = _times(lambda: render(layout, DOTS_80MM))
    raster_floor = _times(blank)
    pdf = _times(lambda: render_pdf(layout, DOTS_80MM), RUNS // 2)
    pdf_floor = _times(bare_pdf, RUNS // 2)
    escpos = _times(lambda: raster_job(render(layout, DOTS_80MM), profile), RUNS // 2)
    del app
    results = [
        result(
            "receipt raster 576 dots: p95 (ms)",
            percentile(raster, 95),
            percentile(raster_floor, 95),
            "ms",
            "p95 <= 50 ms",
        ),
        result("receipt raster 576 dots: p50 (ms)", p50(raster), p50(raster_floor), "ms", "-"),
        result(
            "receipt PDF: p95 (ms)",
            percentile(pdf, 95),
            percentile(pdf_floor, 95),
            "ms",
            "p95 <= 100 ms",
        ),
        result(
            "receipt raster + ESC/POS job: p95 (ms)",
            percentile(escpos, 95),
            percentile(raster_floor, 95),
            "ms",
            "-",
        ),
        result("first raster render incl. font loading (ms)", first_raster, None, "ms", "-"),
        result("first PDF incl. font registration (ms)", first_pdf, None, "ms", "-"),
    ]
    print(f"receipt image {width}×{height} dots, PDF {len(pdf_bytes)} bytes")
    print_results(results)
    return results


if __name__ == "__main__":
    main()
