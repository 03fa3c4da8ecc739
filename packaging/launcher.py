"""PyInstaller's entry script: the bundle starts the window exactly as the ``skylift`` command does."""

import sys

from gui.app import main

if __name__ == "__main__":
    sys.exit(main())
