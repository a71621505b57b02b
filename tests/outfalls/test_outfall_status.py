"""The decision status of each outfall for the map (surveys.outfalls.status)."""

import numpy as np

from gisapp.cartography import symbology
from gisapp.cli import main
from surveys.outfalls.status import STATUS_CODES, outfall_status
from surveys.outfalls.store import Decision, OutfallStore, read_outfall_data


def test_status_codes_from_decisions_and_missing_ids():
    decisions = {
        "A": Decision("A", "seal"),
        "B": Decision("B", "merge", merge_into="A"),
        "C": Decision("C", "keep"),
    }
    got = outfall_status(decisions, ["C", "B", "A", "D", None, float("nan")])
    assert got.tolist() == ["keep", "merge", "sealed", "undecided", "undecided", "undecided"]
    assert got.dtype == object
    assert outfall_status({}, []).shape == (0,)
    assert STATUS_CODES == symbology.OUTFALL_STATUS_CODES  # the map draws every status


def test_status_from_a_project_a_store_and_its_data(demo_project):
    assert outfall_status(demo_project, ["PK07"]).tolist() == ["undecided"]
    args = ["outfalls", "decide", str(demo_project), "PK07", "取缔封堵"]
    assert main([*args, "--deadline", "2025-06-30", "--unit", "市生态环境局"]) == 0
    ids = np.array(["PK01", "PK07"], dtype=object)
    assert outfall_status(demo_project, ids).tolist() == ["undecided", "sealed"]
    assert outfall_status(read_outfall_data(demo_project), ids).tolist()[1] == "sealed"
    with OutfallStore(demo_project) as store:
        assert outfall_status(store, ids).tolist()[1] == "sealed"
