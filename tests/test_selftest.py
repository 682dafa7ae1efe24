from __future__ import annotations

import pytest

from dnw_desk.cli import main


def test_self_test_passes_every_step(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--self-test"]) == 0
    lines = capsys.readouterr().out.splitlines()
    steps = [line for line in lines if line.startswith(("PASS", "FAIL"))]
    assert len(steps) == 7
    assert all(line.startswith("PASS") for line in steps)
    assert lines[-1] == "self-test passed"


def test_self_test_reports_a_failing_step(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import dnw_desk.printing.fonts as fonts

    monkeypatch.setattr(fonts, "missing_glyphs", lambda text: ["𠮷"])
    assert main(["--self-test"]) == 1
    out = capsys.readouterr().out
    assert "FAIL fonts" in out and "self-test FAILED (1 step(s))" in out


def test_self_test_fails_without_the_compiled_catalogue(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import dnw_desk.i18n as i18n

    monkeypatch.setattr(i18n, "translate_in", lambda _language, message: message)
    assert main(["--self-test"]) == 1
    assert "FAIL translations" in capsys.readouterr().out
