"""``python -m wirestream``."""

import sys

from wirestream.cli import main

sys.exit(main())
