"""Evidence attachments on screen: the list of a case's files, adding files, and a viewer.

Files are read, checked and stored on the task runner; the viewer gets the bytes from there
too, so a slow network folder or a damaged file never freezes the counter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt, Signal, Slot
from PySide6.QtGui import QPixmap
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QWidget,
)

from dnw_desk.domain.attachments import (
    HEAD_BYTES,
    AttachmentInfo,
    MediaType,
    describe,
    media_type_of,
)
from dnw_desk.i18n import _
from dnw_desk.services.attachments import Attached
from dnw_desk.ui.file_dialogs import open_file_names
from dnw_desk.ui.widgets import button, hbox, label, vbox

FileChooser = Callable[[QWidget], list[Path]]


def choose_proof_files(parent: QWidget) -> list[Path]:
    """The clerk picks scans or photos (several at once)."""
    names = open_file_names(
        parent,
        _("Attach proof"),
        str(Path.home()),
        _("Proof: PDF, JPEG or PNG (*.pdf *.jpg *.jpeg *.png);;All files (*)"),
    )
    return [Path(name) for name in names]


class AttachmentList(QWidget):
    """Files listed with "Attach…" and "View"; the owner does the work on the task runner."""

    sig_add_requested = Signal(list)  # list[Path] the clerk chose
    sig_view_requested = Signal(object)  # AttachmentInfo

    def __init__(self, parent: QWidget | None = None, chooser: FileChooser = choose_proof_files):
        super().__init__(parent)
        self.chooser = chooser
        self.list = QListWidget()
        self.list.setObjectName("attachmentList")
        self.list.setMaximumHeight(self.list.fontMetrics().height() * 5)
        self.list.itemActivated.connect(self.on_item_activated)
        self.add_button = button(_("&Attach proof…"), self.on_add_clicked)
        self.add_button.setObjectName("attachButton")
        self.view_button = button(_("View"), self.on_view_clicked)
        self.view_button.setObjectName("viewAttachment")
        self.empty = label(_("No attachments."))
        self.setLayout(vbox(self.list, self.empty, hbox(self.add_button, self.view_button, None)))
        self.set_items([])

    def set_items(self, items: Sequence[Attached | AttachmentInfo | Path]) -> None:
        self.list.clear()
        for item in items:
            entry = QListWidgetItem(_item_text(item))
            entry.setData(Qt.ItemDataRole.UserRole, item)
            self.list.addItem(entry)
        self.list.setVisible(bool(items))
        self.empty.setVisible(not items)
        self.view_button.setEnabled(bool(items))
        if items:
            self.list.setCurrentRow(0)

    def selected(self) -> Attached | AttachmentInfo | Path | None:
        item = self.list.currentItem()
        if item is None:
            return None
        chosen: Attached | AttachmentInfo | Path = item.data(Qt.ItemDataRole.UserRole)
        return chosen

    @Slot()
    def on_add_clicked(self) -> None:
        paths = self.chooser(self)
        if paths:
            self.sig_add_requested.emit(paths)

    @Slot()
    def on_view_clicked(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.sig_view_requested.emit(chosen)

    @Slot(QListWidgetItem)
    def on_item_activated(self, _item: QListWidgetItem) -> None:
        self.on_view_clicked()


def _item_text(item: Attached | AttachmentInfo | Path) -> str:
    if isinstance(item, Path):
        return item.name
    info = item.info if isinstance(item, Attached) else item
    return describe(info)


class AttachmentViewer(QDialog):
    """One file, as the clerk attached it: an image scaled to fit, or a PDF's pages."""

    def __init__(self, name: str, content: bytes, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(name)
        self.resize(820, 640)
        self.media = media_type_of(content[:HEAD_BYTES])
        self.pdf: QPdfDocument | None = None
        if self.media is MediaType.PDF:
            body: QWidget = self._pdf_view(content)
        else:
            body = self._image_view(content)
        close = button(_("Close"), self.accept)
        self.setLayout(vbox(body, hbox(None, close), margin=8))

    def _image_view(self, content: bytes) -> QWidget:
        pixmap = QPixmap()
        pixmap.loadFromData(content)
        self.image = QLabel()
        self.image.setObjectName("attachmentImage")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        if pixmap.isNull():
            self.image.setText(_("This image cannot be shown; it may be damaged."))
        else:
            self.image.setPixmap(
                pixmap.scaled(
                    780,
                    560,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
                if pixmap.width() > 780 or pixmap.height() > 560
                else pixmap
            )
        scroll = QScrollArea()
        scroll.setWidget(self.image)
        scroll.setWidgetResizable(True)
        return scroll

    def _pdf_view(self, content: bytes) -> QWidget:
        # The document reads from the buffer for as long as it is shown: both live with us.
        self.buffer = QBuffer(self)
        self.buffer.setData(QByteArray(content))
        self.buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.pdf = QPdfDocument(self)
        self.pdf.load(self.buffer)
        view = QPdfView(self)
        view.setObjectName("attachmentPdf")
        view.setDocument(self.pdf)
        view.setPageMode(QPdfView.PageMode.MultiPage)
        view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        return view
