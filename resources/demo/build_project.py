"""Build the demo project GeoPackage from the generated shapefiles (the real import path).

python resources/demo/build_project.py      # after make_demo.py

The project gets its (empty) survey tables at the current schema version too, so opening the
shipped demo never has to migrate it, and every table of it is a valid GeoPackage layer.
Source paths are stored relative to the project (``src/pipes_sewage.shp``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from network.io.project import create_project  # noqa: E402
from surveys.balance.areas import AreaStore  # noqa: E402
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
    "population": ["population.shp"],
    "farms": ["farms.shp"],
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
    key = json.loads((HERE / "answer_key.json").read_text(encoding="utf-8"))
    with AreaStore(out) as store:  # P02 serves the town beyond the park: drawn by hand
        for plant_id, wkt in key["balance"]["edited_areas"].items():
            store.set_area(plant_id, wkt, note="城区收集范围（人工绘制）")
    return out


if __name__ == "__main__":
    sys.stdout.write(f"{build()}\n")
