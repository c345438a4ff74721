"""The frozen bundle's entry point: the same `unioncard` command the wheel installs (widgets.launcher)."""

import sys

from widgets.launcher import main

if __name__ == "__main__":
    sys.exit(main())
