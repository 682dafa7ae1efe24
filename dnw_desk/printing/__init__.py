"""Receipts and slips for the counter's thermal printer: layout, raster, ESC/POS, PDF.

Only QtGui is used here (QImage + QPainter for the raster); never QtWidgets.
"""
