"""``python -m analysis``: the command line of ``analysis._cli``; ``main(argv, stdout=, stderr=)`` returns the exit
status (0, or 2 with one line on stderr)."""

import sys

from ._cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
