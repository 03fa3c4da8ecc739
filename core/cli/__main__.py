"""``python -m core.cli``: the same as ``skylift-cli``."""

import sys

from . import main

if __name__ == "__main__":
    sys.exit(main())
