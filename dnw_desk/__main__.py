"""``python -m dnw_desk`` and the frozen program's entry point."""

from __future__ import annotations

import sys

from dnw_desk.cli import main

if __name__ == "__main__":
    sys.exit(main())
