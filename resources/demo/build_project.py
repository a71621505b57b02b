"""Build the demo project GeoPackage from the generated shapefiles (the real import path).

python resources/demo/build_project.py      # after make_demo.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from network.io.project import create_project  # noqa: E402

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
    create_project(out, {k: [SRC / f for f in v] for k, v in INPUTS.items()}, overwrite=True)
    return out


if __name__ == "__main__":
    sys.stdout.write(f"{build()}\n")
