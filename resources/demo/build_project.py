"""Build the demo project GeoPackage from the generated shapefiles (the real import path).

python resources/demo/build_project.py      # after make_demo.py

The project gets its (empty) survey tables at the current schema version too, so opening the
shipped demo never has to migrate it, and every table of it is a valid GeoPackage layer.
Source paths are stored relative to the project (``src/pipes_sewage.shp``).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from network.io.project import create_project  # noqa: E402
from surveys.store import SurveyStore  # noqa: E402

SRC = HERE / "src"
INPUTS = {
    "pipes": ["pipes_sewage.shp", "pipes_rain.shp"],
    "manholes": ["manholes.shp"],
    "outfalls": ["outfalls.shp"],
    "enterprises": ["enterprises.shp"],
    "plants": ["plants.shp"],
    "zones": ["redline.shp", "water_source.shp", "nature_reserve.shp"],
    "boundary": ["park_boundary.shp"],
}


def build(out: Path = HERE / "demo_park.gpkg") -> Path:
    """Import the demo shapefiles into ``out`` (replacing it)."""
    create_project(
        out,
        {k: [SRC / f for f in v] for k, v in INPUTS.items()},
        overwrite=True,
        discard_surveys=True,
    )
    SurveyStore(out).close()  # the survey tables, empty
    return out


if __name__ == "__main__":
    sys.stdout.write(f"{build()}\n")
