"""The queue page: view tabs, filters, the table, the count, and the countdown tick."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, time

from PySide6.QtCore import QDate, QEvent, QModelIndex, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeyEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QLabel,
    QLineEdit,
    QTabBar,
    QTableView,
    QWidget,
)

from dnw_desk.clock import HALL_TZ
from dnw_desk.domain.alerts import AlertLevel
from dnw_desk.domain.case import STATUS_LABELS
from dnw_desk.i18n import N_, _
from dnw_desk.services.alerts import LEVEL_NAMES, alerts_for
from dnw_desk.services.changes import Changes
from dnw_desk.services.queue import QueueQuery, QueueService, QueueView, SortKey
from dnw_desk.services.reference_data import category_names
from dnw_desk.store.cases_repo import CaseFilter
from dnw_desk.ui.context import DeskUi
from dnw_desk.ui.queue.columns import fit_columns, fit_rows, sample_texts, share_the_rest
from dnw_desk.ui.queue.model import CASE_ID_ROLE, Column, QueueModel
from dnw_desk.ui.widgets import hbox, label, vbox

TICK_MS = 30_000  # the countdown shows minutes: a tick every half minute is enough
DEBOUNCE_MS = 200  # typing in the search box re-queries after this pause
VIEWS = (
    (QueueView.OPEN, N_("Open cases")),
    (QueueView.TODAY, N_("Today's cases")),
    (QueueView.ALL, N_("All cases")),
    (QueueView.WINDOW, N_("Waiting on the window")),
)


class QueuePage(QWidget):
    sig_open_case = Signal(str)
    """The user asked to open a case (its id)."""

    def __init__(self, ui: DeskUi, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        desk = ui.desk
        self.service = QueueService(desk.db)
        alerts = alerts_for(desk)
        self.model = QueueModel(
            self.service,
            ui.tasks,
            desk.clock,
            desk.deadlines.working_time,
            alerts.level_of,
            category_names(desk.settings.categories),
            self,
        )
        self._build()
        self._connect_signals()
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(DEBOUNCE_MS)
        self.search_timer.timeout.connect(self.on_search_timer_timeout)
        self.tick_timer = QTimer(self)
        self.tick_timer.setInterval(TICK_MS)
        self.tick_timer.timeout.connect(self.on_tick_timer_timeout)
        self.tick_timer.start()
        self._choices_loaded = False
        self._count_due = False  # counted once the query's first rows are on screen
        self._stale = True  # the query runs when the page is first shown

    # --- building ------------------------------------------------------------------------------

    def _build(self) -> None:
        self.tabs = QTabBar()
        for _view, title in VIEWS:
            self.tabs.addTab(_(title))
        self.search = QLineEdit()
        self.search.setPlaceholderText(
            _("Search number, service item, unit, complainant name, phone or ID")
        )
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(220)
        self.search.installEventFilter(self)
        self.status_box = self._combo(
            [("", _("All statuses"))]
            + [(status.value, _(text)) for status, text in STATUS_LABELS.items()]
        )
        self.level_box = self._combo(
            [("", _("All alert levels"))]
            + [(LEVEL_NAMES[level], _(level.label)) for level in AlertLevel if level]
        )
        self.category_box = self._combo([("", _("All categories"))])
        self.category_box.setMaximumWidth(260)  # the hall's category labels are sentences
        self.unit_box = self._combo([("", _("All units"))])
        self.unit_box.setMinimumContentsLength(12)
        self.clerk_box = self._combo([("", _("All clerks"))])
        self.date_check = QCheckBox(_("Registered from"))
        now = self.ui.desk.clock()  # the desk's clock, not the PC's
        today = QDate(now.year, now.month, now.day)
        self.date_from = QDateEdit(today.addDays(-30))
        self.date_to = QDateEdit(today)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
        self.count_label = QLabel()
        self.count_label.setObjectName("queueCount")
        self.table = self._table(now)
        filters = hbox(
            self.status_box,
            self.level_box,
            self.category_box,
            self.unit_box,
            self.clerk_box,
            self.date_check,
            self.date_from,
            label("–"),
            self.date_to,
            None,
        )
        self.setLayout(
            vbox(
                hbox(self.tabs, None, self.search),
                filters,
                self.table,
                hbox(self.count_label, None),
                margin=8,
            )
        )

    def _table(self, now: datetime) -> QTableView:
        """The cases, sorted by time left; column widths from the font and this desk's number."""
        table = QTableView()
        # Tab leaves the table (arrows move in it): otherwise a keyboard user is caught in it.
        table.setTabKeyNavigation(False)
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setSortingEnabled(True)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(24)
        table.horizontalHeader().setSortIndicator(Column.TIME_LEFT, Qt.SortOrder.AscendingOrder)
        settings = self.ui.desk.settings
        samples = sample_texts(settings.hall_code, settings.window_no, now.date())
        fit_columns(table, samples)
        return table

    @staticmethod
    def _combo(items: list[tuple[str, str]]) -> QComboBox:
        box = QComboBox()
        box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for value, text in items:
            box.addItem(text, value)
        return box

    def _connect_signals(self) -> None:
        self.tabs.currentChanged.connect(self.on_filters_changed)
        self.search.textChanged.connect(self.on_search_text_changed)
        for box in (
            self.status_box,
            self.level_box,
            self.category_box,
            self.unit_box,
            self.clerk_box,
        ):
            box.currentIndexChanged.connect(self.on_filters_changed)
        self.date_check.toggled.connect(self.on_date_check_toggled)
        self.date_from.dateChanged.connect(self.on_filters_changed)
        self.date_to.dateChanged.connect(self.on_filters_changed)
        self.table.activated.connect(self.on_table_activated)
        self.model.sig_failed.connect(self.on_model_failed)
        self.model.sig_loaded.connect(self.on_model_loaded)
        self.ui.bus.sig_changed.connect(self.on_bus_changed)

    # --- the query -----------------------------------------------------------------------------

    def current_query(self) -> QueueQuery:
        view = VIEWS[max(self.tabs.currentIndex(), 0)][0]
        start = end = None
        if self.date_check.isChecked():
            start = _start_of(self.date_from.date())
            end = _start_of(self.date_to.date().addDays(1))
        flt = CaseFilter(
            statuses=[self.status_box.currentData()] if self.status_box.currentData() else [],
            levels=[self.level_box.currentData()] if self.level_box.currentData() else [],
            category=self.category_box.currentData() or None,
            unit=self.unit_box.currentData() or None,
            clerk_no=self.clerk_box.currentData() or None,
            registered_from=start,
            registered_to=end,
            text=self.search.text(),
        )
        return replace(self.model.query, view=view, filter=flt)

    def refresh(self) -> None:
        """Re-run the query (keeping as many rows as are loaded) and the count."""
        self._count_due = True
        self.model.reload(keep=self.model.rowCount())
        if not self._choices_loaded:
            self._load_choices()

    def _apply(self) -> None:
        self._count_due = True
        self.model.set_query(self.current_query())

    def _count(self) -> None:
        query, today = self.model.query, self.ui.desk.clock().date()
        self.ui.tasks.run(lambda: self.service.count(query, today), self._show_count, lane="read")

    def _show_count(self, count: int) -> None:
        self.count_label.setText(_("Cases: {count}").format(count=count))

    def _load_choices(self) -> None:
        self._choices_loaded = True
        self.ui.tasks.run(self.service.filter_choices, self._fill_choices, lane="read")

    def _fill_choices(self, choices: tuple[list[str], list[str], list[str]]) -> None:
        categories, units, clerks = choices
        names = category_names(self.ui.desk.settings.categories)
        shown_as: list[tuple[QComboBox, list[str], Callable[[str], str]]] = [
            (self.category_box, categories, names.__getitem__),  # a code reads as its name
            (self.unit_box, units, str),
            (self.clerk_box, clerks, str),
        ]
        for box, values, text_of in shown_as:
            box.blockSignals(True)
            for value in values:
                if box.findData(value) < 0:
                    box.addItem(text_of(value), value)
            box.blockSignals(False)

    def visible_rows(self) -> tuple[int, int]:
        first = self.table.rowAt(0)
        last = self.table.rowAt(self.table.viewport().height() - 1)
        if first < 0:
            return -1, -1
        return first, last if last >= 0 else self.model.rowCount() - 1

    # --- slots ---------------------------------------------------------------------------------

    @Slot()
    def on_filters_changed(self) -> None:
        self._apply()

    @Slot(str)
    def on_search_text_changed(self, _text: str) -> None:
        self.search_timer.start()  # restart: query once the typing pauses

    @Slot()
    def on_search_timer_timeout(self) -> None:
        self._apply()

    @Slot(bool)
    def on_date_check_toggled(self, checked: bool) -> None:
        self.date_from.setEnabled(checked)
        self.date_to.setEnabled(checked)
        self._apply()

    @Slot()
    def on_tick_timer_timeout(self) -> None:
        first, last = self.visible_rows()
        self.model.tick(first, last)
        fit_rows(self.table, self.model, first, last)

    @Slot(int)
    def on_model_loaded(self, _count: int) -> None:
        fit_rows(self.table, self.model, *self.visible_rows())
        if self._count_due:
            # After the rows are painted (a zero timer runs after the pending paint): the
            # count's work on the read lane does not compete with painting them.
            self._count_due = False
            QTimer.singleShot(0, self, self._count)  # dropped if the page goes first

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Down (or Enter) in the search box moves to the results, as in a browser's list."""
        if (
            watched is self.search
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self.model.rowCount() > 0
        ):
            self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
            if not self.table.currentIndex().isValid():
                self.table.selectRow(0)
            return True
        return super().eventFilter(watched, event)

    @Slot(QModelIndex)
    def on_table_activated(self, index: QModelIndex) -> None:
        case_id = self.model.data(index, CASE_ID_ROLE)
        if case_id:
            self.sig_open_case.emit(case_id)

    @Slot(str)
    def on_model_failed(self, message: str) -> None:
        self.count_label.setText(
            _("The queue could not be read: {problem}").format(problem=message)
        )

    @Slot(object)
    def on_bus_changed(self, changes: Changes) -> None:
        if changes.cases and changes.levels_only and not self._follows_levels():
            # An alert tick: the rows compute their level live, so a repaint shows it; a
            # query, a model reset and a full repaint every tick would cost the clerk's typing.
            if self.isVisible():
                self.on_tick_timer_timeout()
        elif changes.cases and self.isVisible():
            self.refresh()
        elif changes.cases:
            self._stale = True

    def _follows_levels(self) -> bool:
        """Whether the query filters or sorts by the cached alert level."""
        query = self.model.query
        return bool(query.filter.levels) or query.sort is SortKey.LEVEL

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        share_the_rest(self.table)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.refresh()


def _start_of(day: QDate) -> datetime:
    value = day.toPython()
    assert isinstance(value, date)
    return datetime.combine(value, time(0), tzinfo=HALL_TZ)
