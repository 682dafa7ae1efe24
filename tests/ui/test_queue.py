"""The queue model and page: qtmodeltester, filters and ordering in SQL, paging, the live
countdown with a fake clock repainting only the visible rows."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from dnw_desk.clock import HALL_TZ
from dnw_desk.domain.case import EventType
from dnw_desk.services.alerts import alerts_for
from dnw_desk.services.changes import Changes
from dnw_desk.services.desk import Desk
from dnw_desk.services.queue import QueueQuery, QueueService, QueueView, SortKey
from dnw_desk.services.reference_data import category_names
from dnw_desk.store.cases_repo import CaseFilter
from dnw_desk.ui.changes import ChangeBus
from dnw_desk.ui.context import DeskUi
from dnw_desk.ui.queue import model as queue_model
from dnw_desk.ui.queue.model import CASE_ID_ROLE, LEVEL_COLOURS, Column, QueueModel
from dnw_desk.ui.queue.page import QueuePage
from dnw_desk.ui.tasks import ImmediateTaskRunner
from tests.factories import CLERK, desk_at, register

START = datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ)


@pytest.fixture
def filled(data_dir: Path):  # type: ignore[no-untyped-def]
    desk, clock = desk_at(data_dir, START)
    ids = {}
    ids["a"] = register(desk, service_item="社保转移").case.id
    clock.advance(minutes=30)
    ids["b"] = register(desk, lead_unit="省民政厅", service_item="婚姻登记").case.id
    clock.now = datetime(2026, 11, 25, 9, 30, tzinfo=HALL_TZ)  # next day: later deadline
    ids["c"] = register(desk, name="买买提·艾力").case.id
    desk.cases.record(ids["a"], EventType.UNIT_ACCEPTED, CLERK, {"by": "李"})
    yield desk, clock, ids
    desk.close()


def make_model(desk, clock) -> QueueModel:  # type: ignore[no-untyped-def]
    return QueueModel(
        QueueService(desk.db),
        ImmediateTaskRunner(),
        clock,
        desk.deadlines.working_time,
        alerts_for(desk).level_of,
        category_names(desk.settings.categories),
    )


def ids_in(model: QueueModel) -> list[str]:
    return [model.index(r, 0).data(CASE_ID_ROLE) for r in range(model.rowCount())]


def test_queue_model_passes_qtmodeltester(qtmodeltester, filled) -> None:  # type: ignore[no-untyped-def]
    desk, clock, _ids = filled
    model = make_model(desk, clock)
    model.reload()
    assert model.rowCount() == 3
    qtmodeltester.check(model)


def test_default_order_is_time_left_and_sorting_runs_in_sql(filled) -> None:  # type: ignore[no-untyped-def]
    desk, clock, ids = filled
    model = make_model(desk, clock)
    model.reload()
    assert ids_in(model) == [ids["a"], ids["b"], ids["c"]]
    model.sort(Column.NUMBER, Qt.SortOrder.DescendingOrder)
    assert model.query.sort is SortKey.NUMBER and model.query.descending
    assert ids_in(model) == [ids["c"], ids["b"], ids["a"]]
    row = model.row_at(0)
    assert row is not None and row.complainant == "买**·**"  # masked before the GUI sees it


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (QueueQuery(filter=CaseFilter(unit="省民政厅")), ["b"]),
        (QueueQuery(filter=CaseFilter(text="社保")), ["a"]),
        (QueueQuery(filter=CaseFilter(statuses=["accepted"])), ["a"]),
        (QueueQuery(filter=CaseFilter(clerk_no="0815")), ["a", "b", "c"]),
        (QueueQuery(filter=CaseFilter(clerk_no="9999")), []),
        (QueueQuery(view=QueueView.TODAY), ["c"]),
        (QueueQuery(filter=CaseFilter(statuses=["closed"])), []),
        (
            QueueQuery(
                filter=CaseFilter(
                    registered_from=START, registered_to=datetime(2026, 11, 25, tzinfo=HALL_TZ)
                )
            ),
            ["a", "b"],
        ),
    ],
)
def test_filters(filled, query: QueueQuery, expected: list[str]) -> None:  # type: ignore[no-untyped-def]
    desk, clock, ids = filled
    model = make_model(desk, clock)
    model.set_query(query)
    assert ids_in(model) == [ids[key] for key in expected]


def test_level_filter_uses_the_refreshed_cached_level(filled) -> None:  # type: ignore[no-untyped-def]
    desk, clock, ids = filled
    clock.now = datetime(2026, 11, 25, 16, 0, tzinfo=HALL_TZ)
    alerts_for(desk).refresh()
    model = make_model(desk, clock)
    model.set_query(QueueQuery(filter=CaseFilter(levels=["warning"])))
    assert ids_in(model) == [ids["a"], ids["b"]]


def _shown_page(qtbot: QtBot, desk: Desk, width: int | None = None) -> QueuePage:
    """The queue page of a clerk's desk, on screen (``width`` wide, 400 high, if given)."""
    ui = DeskUi(desk, ImmediateTaskRunner(), ChangeBus(), actor=CLERK)
    page = QueuePage(ui)
    qtbot.addWidget(page)
    if width is not None:
        page.resize(width, 400)
    page.show()
    qtbot.waitExposed(page)
    return page


def test_pages_are_fetched_as_the_view_asks(filled, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    desk, clock, _ids = filled
    monkeypatch.setattr(queue_model, "PAGE_SIZE", 2)
    model = make_model(desk, clock)
    model.reload()
    assert model.rowCount() == 2 and model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 3 and not model.canFetchMore()


def test_the_count_follows_the_rows_and_keeps_a_failure_shown(qtbot: QtBot, data_dir: Path) -> None:
    """The count is read once the rows are on screen (not beside their painting); a query
    that failed leaves its message, not a count, under the table."""
    desk, _clock = desk_at(data_dir, START)
    for _ in range(3):
        register(desk)
    register(desk, lead_unit="省民政厅")
    page = _shown_page(qtbot, desk)
    qtbot.waitUntil(lambda: page.count_label.text() == "件数：4")
    page.search.setText("民政")
    page.on_search_timer_timeout()
    assert page.model.rowCount() == 1 and page.count_label.text() == "件数：4"
    qtbot.waitUntil(lambda: page.count_label.text() == "件数：1")
    page.model.service.page = lambda *a: (_ for _ in ()).throw(OSError("磁盘不可读"))  # type: ignore[method-assign]
    page.search.setText("公安")
    page.on_search_timer_timeout()
    qtbot.wait(50)
    assert "磁盘不可读" in page.count_label.text()
    desk.close()


def test_live_countdown_with_a_fake_clock(filled) -> None:  # type: ignore[no-untyped-def]
    desk, clock, _ids = filled
    clock.now = datetime(2026, 11, 25, 10, 0, tzinfo=HALL_TZ)
    model = make_model(desk, clock)
    model.reload()
    left = model.index(0, Column.TIME_LEFT)
    assert left.data() == "6小时00分"  # Wed 10:00 → 17:30 without the lunch break
    clock.now = datetime(2026, 11, 25, 16, 0, tzinfo=HALL_TZ)
    assert left.data() == "6小时00分"  # unchanged until the tick
    changed: list[tuple[int, int, int, int]] = []
    model.dataChanged.connect(
        lambda a, b, roles: changed.append((a.row(), a.column(), b.row(), b.column()))
    )
    model.tick(0, 1)
    assert changed == [(0, Column.TIME_LEFT, 1, Column.LEVEL)]  # visible rows, live columns
    assert left.data() == "1小时30分"
    level = model.index(0, Column.LEVEL)
    assert level.data() == "黄色预警"
    assert level.data(Qt.ItemDataRole.BackgroundRole).color() == LEVEL_COLOURS[2]
    clock.now = datetime(2026, 11, 26, 9, 30, tzinfo=HALL_TZ)
    model.tick(0, 2)
    assert left.data() == "已逾期0小时30分"


def test_page_ticks_only_the_visible_rows(qtbot: QtBot, data_dir: Path) -> None:
    desk, clock = desk_at(data_dir, START)
    for _ in range(40):
        register(desk)
    page = _shown_page(qtbot, desk, width=1366)
    assert page.model.rowCount() == 40
    qtbot.waitUntil(lambda: page.count_label.text() == "件数：40")  # counted after the rows
    first, last = page.visible_rows()
    assert first == 0 and 0 < last < 39
    changed: list[tuple[int, int]] = []
    page.model.dataChanged.connect(lambda a, b, roles: changed.append((a.row(), b.row())))
    clock.advance(minutes=5)
    page.on_tick_timer_timeout()
    assert changed == [(first, last)]
    desk.close()


def test_typing_in_the_search_box_is_debounced(qtbot: QtBot, filled) -> None:  # type: ignore[no-untyped-def]
    desk, _clock, ids = filled
    page = _shown_page(qtbot, desk)
    queries: list[QueueQuery] = []
    page.model.set_query = lambda q, _orig=page.model.set_query: (queries.append(q), _orig(q))  # type: ignore[method-assign]
    page.search.insert("婚")
    page.search.insert("姻")
    assert queries == []  # nothing while typing
    qtbot.waitUntil(lambda: len(queries) == 1, timeout=2000)
    assert ids_in(page.model) == [ids["b"]]
    page.unit_box.addItem("省民政厅", "省民政厅")
    page.search.clear()
    qtbot.waitUntil(lambda: len(queries) == 2, timeout=2000)
    page.unit_box.setCurrentIndex(page.unit_box.findData("省民政厅"))
    assert ids_in(page.model) == [ids["b"]]


def test_the_search_box_finds_a_returning_complainant(qtbot: QtBot, filled) -> None:  # type: ignore[no-untyped-def]
    desk, _clock, ids = filled
    page = _shown_page(qtbot, desk)
    page.tabs.setCurrentIndex(2)  # 全部: a returning citizen's case may be finished
    page.search.insert("买买提·艾力")  # as an input method commits it
    qtbot.waitUntil(lambda: ids_in(page.model) == [ids["c"]], timeout=2000)
    assert page.model.row_at(0).complainant == "买**·**"  # type: ignore[union-attr]
    page.search.clear()
    qtbot.keyClicks(page.search, "138 1234 5678")  # every case of the fixture has this phone
    qtbot.waitUntil(lambda: len(ids_in(page.model)) == 3, timeout=2000)
    desk.close()


def test_down_in_the_search_box_goes_to_the_first_result(qtbot: QtBot, filled) -> None:  # type: ignore[no-untyped-def]
    desk, _clock, _ids = filled
    page = QueuePage(DeskUi(desk, ImmediateTaskRunner(), ChangeBus(), actor=CLERK))
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    page.search.setFocus()
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=2000)
    qtbot.keyClick(page.search, Qt.Key.Key_Down)
    assert page.table.currentIndex().row() == 0
    assert page.focusWidget() is page.table
    desk.close()


def test_the_queue_names_a_not_accepted_case_s_reason(qtbot: QtBot, data_dir: Path) -> None:
    """Issue 11, defect 4: the category column showed ``x-hotline``."""
    from tests.factories import register_refused

    desk, clock = desk_at(data_dir)
    register_refused(desk)
    model = make_model(desk, clock)
    model.set_query(QueueQuery(view=QueueView.ALL))
    column = list(Column).index(Column.CATEGORY)
    assert model.index(0, column).data() == "宜通过12345热线反映"
    desk.close()


def test_f6_and_f7_put_the_keyboard_on_the_page_they_open(qtbot: QtBot, data_dir: Path) -> None:
    """Walkthrough finding: after F6 the keys went to the hidden intake form, so Down and
    Enter did nothing."""
    from tests.ui.conftest import LEAD, make_harness

    harness = make_harness(qtbot, data_dir)
    try:
        register(harness.desk)
        harness.login(qtbot, LEAD[0], LEAD[2])
        features = harness.screens.queue
        harness.window.menus.action("queue").trigger()
        page = features.queue_page
        assert harness.window.focusWidget() is page.search
        qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
        qtbot.keyClick(page.search, Qt.Key.Key_Down)
        assert harness.window.focusWidget() is page.table
        harness.window.menus.action("review").trigger()
        assert harness.window.focusWidget() is features.review_page.day_edit
    finally:
        harness.close()


def test_an_alert_tick_that_moved_only_levels_repaints_without_a_new_query(
    qtbot: QtBot, filled
) -> None:  # type: ignore[no-untyped-def]
    """The rows show live levels already: a tick that only moved the cached levels (and put
    cards on timelines) repaints them; the query runs again only when it filters or sorts by
    the level, or when something else changed."""
    desk, _clock, ids = filled
    page = _shown_page(qtbot, desk)
    reloads: list[int] = []
    page.model.reload = lambda keep=0, _orig=page.model.reload: (reloads.append(keep), _orig(keep))  # type: ignore[method-assign]
    repainted: list[int] = []
    page.model.dataChanged.connect(lambda a, b, roles: repainted.append(a.row()))
    page.ui.bus.publish(Changes(case_ids=frozenset({ids["a"]}), levels_only=True))
    assert reloads == [] and repainted
    page.ui.bus.publish(Changes(case_ids=frozenset({ids["a"]})))  # a step: the row may have changed
    assert len(reloads) == 1
    page.level_box.setCurrentIndex(page.level_box.findData("warning"))
    reloads.clear()
    page.ui.bus.publish(Changes(case_ids=frozenset({ids["a"]}), levels_only=True))
    assert len(reloads) == 1  # the level filter follows the cached levels
