"""PipeAtlas: no command opens the app on the demo park; ``python main.py CMD`` is the CLI."""

import sys

from gisapp.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
