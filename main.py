"""PipeAtlas: no command opens the app on the demo park; ``python main.py CMD`` is the CLI."""

from gisapp.cli import run

if __name__ == "__main__":
    run()
