"""dnw-desk: the 办不成事 complaint window terminal and its central server."""

__version__ = "0.1.0"
