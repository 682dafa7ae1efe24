"""The five-level rating on the screen facing the citizen (一次一评, 评价器).

Five large buttons, touch or mouse; the two lowest levels then offer a few reasons to touch and
a line to type, both optional. The choice leaves this panel only as ``sig_rated`` — the clerk's
screen learns of it when the rating is saved, like any other step.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QLineEdit, QPushButton, QWidget

from dnw_desk.domain.case import SATISFACTION_LABELS, Satisfaction
from dnw_desk.i18n import N_, _
from dnw_desk.ui.widgets import hbox, label, vbox

# Reasons a citizen touches rather than types (they may also type their own).
REASONS = (
    N_("Waited too long"),
    N_("Unfriendly attitude"),
    N_("Problem not solved"),
    N_("Explanation unclear"),
)
BIG = 2.0


def _big_button(text: str, scale: float = BIG) -> QPushButton:
    widget = QPushButton(text)
    widget.setAutoDefault(False)
    font = widget.font()
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * scale)
    widget.setFont(font)
    widget.setMinimumHeight(int(widget.fontMetrics().height() * 2.2))
    return widget


class RatingPanel(QWidget):
    sig_rated = Signal(object, str)  # (Satisfaction, reason)

    def __init__(self) -> None:
        super().__init__()
        self.question = label(_("How satisfied are you with our service?"), bold=True, scale=BIG)
        self.question.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.levels: dict[Satisfaction, QPushButton] = {}
        for level in Satisfaction:
            choice = _big_button(_(SATISFACTION_LABELS[level]))
            choice.setObjectName(f"rate_{level.value}")
            choice.clicked.connect(lambda _checked=False, lv=level: self.on_level(lv))
            self.levels[level] = choice
        self.reason_panel = self._reason_panel()
        self.pending: Satisfaction | None = None
        self.setLayout(vbox(self.question, hbox(*self.levels.values()), self.reason_panel))
        self.reset()

    def _reason_panel(self) -> QWidget:
        panel = QWidget()
        heading = label(_("Sorry. What went wrong? (optional)"), scale=BIG)
        self.reasons: list[QPushButton] = []
        for reason in REASONS:
            choice = _big_button(_(reason), 1.5)
            choice.setCheckable(True)
            self.reasons.append(choice)
        self.reason_text = QLineEdit()
        self.reason_text.setObjectName("rateReason")
        self.reason_text.setMaxLength(100)
        self.reason_text.setPlaceholderText(_("Or type your reason here"))
        self.reason_text.setFont(self.reasons[0].font())
        self.submit = _big_button(_("Submit rating"))
        self.submit.setObjectName("rateSubmit")
        self.submit.clicked.connect(self.on_submit)
        panel.setLayout(vbox(heading, hbox(*self.reasons), self.reason_text, self.submit))
        return panel

    def reset(self) -> None:
        self.pending = None
        self.reason_panel.hide()
        self.reason_text.clear()
        for choice in self.reasons:
            choice.setChecked(False)
        for choice in self.levels.values():
            choice.setEnabled(True)

    def on_level(self, level: Satisfaction) -> None:
        if level.is_unsatisfied:
            self.pending = level
            for other, choice in self.levels.items():
                choice.setEnabled(other is level)
            self.reason_panel.show()
            return
        self.sig_rated.emit(level, "")

    @Slot()
    def on_submit(self) -> None:
        if self.pending is None:
            return
        parts = [choice.text() for choice in self.reasons if choice.isChecked()]
        typed = self.reason_text.text().strip()
        self.sig_rated.emit(self.pending, "；".join([*parts, typed] if typed else parts))
