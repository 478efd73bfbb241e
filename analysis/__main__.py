"""``python -m analysis``: see ``analysis._cli``."""

import sys

from ._cli import main

sys.exit(main())
