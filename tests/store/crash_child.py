"""Child process of the crash test: register cases forever, print each number after COMMIT."""

from __future__ import annotations

import sys
from pathlib import Path

from dnw_desk.services.desk import open_desk
from tests.factories import register


def main() -> None:
    desk = open_desk(Path(sys.argv[1]))
    while True:
        number = register(desk).case.number
        sys.stdout.write(number + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
