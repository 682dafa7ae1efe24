"""Open and save dialogs that show their whole columns.

Where the system offers no native dialog (a bare X session, many counter PCs' Linux), Qt's own
dialog opens at a size where its date column is cut off; it opens larger here, and the detail
columns fit their content. A native dialog is left as the system draws it.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QHeaderView, QSplitter, QTreeView, QWidget

DIALOG_SIZE = (1040, 580)
SIDEBAR_WIDTH = 160


def file_dialog(
    parent: QWidget | None, title: str, start: str, filters: str, *, save: bool
) -> QFileDialog:
    dialog = QFileDialog(parent, title, start, filters)
    if save:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    else:
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
    dialog.setViewMode(QFileDialog.ViewMode.Detail)
    dialog.resize(*DIALOG_SIZE)
    for splitter in dialog.findChildren(QSplitter):
        # The places list ("计算机", the home folder) is cut off at its default width.
        splitter.setSizes([SIDEBAR_WIDTH, DIALOG_SIZE[0] - SIDEBAR_WIDTH])
    for tree in dialog.findChildren(QTreeView):
        header = tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, header.count()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    return dialog


def save_file_name(parent: QWidget | None, title: str, start: str, filters: str) -> str | None:
    dialog = file_dialog(parent, title, start, filters, save=True)
    if not dialog.exec() or not dialog.selectedFiles():
        return None
    return dialog.selectedFiles()[0]


def open_file_names(parent: QWidget | None, title: str, start: str, filters: str) -> list[str]:
    dialog = file_dialog(parent, title, start, filters, save=False)
    return dialog.selectedFiles() if dialog.exec() else []
