"""`python -m app`: the command line without the desktop window."""

import sys

from app.cli import main

sys.exit(main())
