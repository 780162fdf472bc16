"""``python -m atls serve|connect``: see ``atls.cli``."""

from __future__ import annotations

import sys

from atls.cli import main

if __name__ == "__main__":
    sys.exit(main())
