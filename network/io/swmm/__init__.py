"""EPA SWMM models in and out (no Qt).

* :mod:`network.io.swmm.read` turns a model (``.inp``, read with swmm-api) into the project's
  layer frames: conduits, pumps, orifices, weirs and outlets → pipes (with a link type, so the
  traces go through every kind of link), junctions, storage units and dividers → manholes,
  outfalls → manholes *and* outfalls, subcatchment polygons → an optional layer; lengths and
  levels in metres whatever the model's units; and the list of what could not be mapped.
* :mod:`network.io.swmm.write` writes a runnable dry-weather model of a project: pipes with
  inverts → circular conduits, manholes → junctions, pipe-network ends (where plants and
  outfalls sit) → outfalls, enterprises' declared flow → dry-weather inflow.
* :mod:`network.io.swmm.run` runs a model with pyswmm and reads back, per pipe, the maximum
  flow and the capacity use (q/Q_full), stores them in the project (table
  ``pa_swmm_results``) and turns surcharged pipes into findings.

swmm-api and pyswmm load on first use only.
"""

from __future__ import annotations

from network.io.swmm.common import SwmmError

__all__ = ["SwmmError"]
