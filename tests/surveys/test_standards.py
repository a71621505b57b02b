"""Tests of the standard pack loader and the shipped CJJ 181-2012 pack."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from surveys.errors import (
    CodeNotFoundError,
    GradeError,
    StandardPackError,
    SurveyError,
    ValidationError,
)
from surveys.standards import default_pack_path, load_pack

STRUCTURAL_SCORES = {
    "PL": (0.5, 2, 5, 10),
    "BX": (1, 2, 5, 10),
    "FS": (0.5, 2, 5),
    "CK": (0.5, 2, 5, 10),
    "QF": (0.5, 2, 5, 10),
    "TJ": (1, 3, 5, 10),
    "TL": (1, 3),
    "AJ": (0.5, 2, 5),
    "CR": (0.5, 2, 5),
    "SL": (0.5, 2, 5, 10),
}
FUNCTIONAL_SCORES = {
    "CJ": (0.5, 2, 5, 10),
    "JG": (0.5, 2, 5, 10),
    "ZW": (0.1, 2, 5, 10),
    "CQ": (1, 3, 5, 10),
    "SG": (0.5, 2, 5, 10),
}


@pytest.fixture
def pack():
    return load_pack()


@pytest.fixture
def pack_dict() -> dict:
    return json.loads(default_pack_path().read_text(encoding="utf-8"))


def write_pack(tmp_path: Path, data: dict, name: str = "pack.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


# --- the shipped pack holds exactly the figures of the standards file --------------------------
def test_load_pack_default_identity(pack):
    assert pack.pack_id == "cjj181-2012"
    assert pack.standard == "CJJ 181-2012"
    assert pack.version
    assert pack.source_note_en and pack.source_note_zh
    assert pack.name_zh == "城镇排水管道检测与评估技术规程"


@pytest.mark.parametrize(("code", "scores"), sorted(STRUCTURAL_SCORES.items()))
def test_pack_structural_scores_match_standard(pack, code, scores):
    assert pack.code(code).kind == "structural"
    assert pack.grades_of(code) == tuple(range(1, len(scores) + 1))
    assert tuple(pack.score(code, g) for g in pack.grades_of(code)) == scores
    assert not pack.code(code).unconfirmed


@pytest.mark.parametrize(("code", "scores"), sorted(FUNCTIONAL_SCORES.items()))
def test_pack_functional_scores_match_standard_and_are_unconfirmed(pack, code, scores):
    assert pack.code(code).kind == "functional"
    assert tuple(pack.score(code, g) for g in pack.grades_of(code)) == scores
    assert pack.code(code).unconfirmed
    assert f"code:{code}" in {u.id for u in pack.unconfirmed_rules()}


def test_pack_fz_recorded_not_scored(pack):
    fz = pack.code("FZ")
    assert fz.kind == "functional"
    assert not fz.scored
    assert pack.grades_of("FZ") == (1, 2, 3)
    assert [pack.score("FZ", g) for g in (1, 2, 3)] == [0.0, 0.0, 0.0]


def test_pack_codes_by_kind(pack):
    assert [c.code for c in pack.codes("structural")] == list(STRUCTURAL_SCORES)
    assert [c.code for c in pack.codes("functional")] == [*FUNCTIONAL_SCORES, "FZ"]
    assert len(pack.codes()) == 16
    with pytest.raises(ValidationError, match="kind must be one of"):
        pack.codes("operational")


def test_pack_codes_have_bilingual_labels_and_grade_texts(pack):
    for c in pack.codes():
        assert c.label_zh and c.label_en
        for g in c.grades:
            assert g.zh and g.en


def test_pack_rules_and_tables_match_standard(pack):
    assert pack.rule("alpha") == 1.1
    assert pack.rule("beta") == 1.1
    assert pack.rule("merge_spacing_below_m") == 1.0
    assert pack.rule("near_spacing_max_m") == 1.5
    assert pack.rule("local_min_length_m") == 1.0
    assert pack.rule("ri_weights") == {"F": 0.7, "K": 0.1, "E": 0.05, "T": 0.15}
    assert pack.rule("mi_weights")["G"] == 0.8
    assert pack.rule("mi_weights")["K"] == 0.15
    assert pack.rule("mi_weights")["E"] == 0.05
    assert pack.rule("k_zero_below_f") == 4
    assert [r.value for r in pack.tables["K"].rows] == [10, 6, 3, 0]
    assert [r.value for r in pack.tables["T"].rows] == [0, 6, 8, 10]


@pytest.mark.parametrize(
    ("d", "e"),
    [
        (None, float("nan")),
        (300, 0),
        (599.9, 0),
        (600, 3),
        (800, 3),
        (1000, 3),
        (1000.1, 6),
        (1500, 6),
        (1500.1, 10),
        (2000, 10),
    ],
)
def test_pack_e_from_diameter(pack, d, e):
    got = pack.e_value(d)
    assert (math.isnan(got) and math.isnan(e)) or got == e


@pytest.mark.parametrize(
    ("table", "value", "key"),
    [
        ("defect_grades", 0, "I"),
        ("defect_grades", 1, "I"),
        ("defect_grades", 1.0001, "II"),
        ("defect_grades", 3, "II"),
        ("defect_grades", 3.0000000000000004, "II"),
        ("defect_grades", 3.01, "III"),
        ("defect_grades", 6, "III"),
        ("defect_grades", 6.01, "IV"),
        ("index_grades", 1, "I"),
        ("index_grades", 4, "II"),
        ("index_grades", 4.01, "III"),
        ("index_grades", 7, "III"),
        ("index_grades", 7.01, "IV"),
        ("density_classes", 0.099, "local"),
        ("density_classes", 0.1, "partial"),
        ("density_classes", 0.5, "partial"),
        ("density_classes", 0.51, "whole"),
    ],
)
def test_pack_classify_boundaries(pack, table, value, key):
    assert pack.classify_one(table, value) == key


def test_pack_classify_nan_is_none(pack):
    assert pack.classify_one("defect_grades", float("nan")) is None
    assert pack.label("index_grades", "III") == "Ⅲ"


def test_pack_unconfirmed_rules_cover_the_standards_file(pack):
    ids = {u.id for u in pack.unconfirmed_rules()}
    # functional scores, aggregation rules, K when F<4, E boundaries, density classes
    assert {
        "kind:functional",
        "code:CJ",
        "code:JG",
        "code:ZW",
        "code:CQ",
        "code:SG",
        "rule:merge_spacing_below_m",
        "rule:local_min_length_m",
        "rule:continuous_real_length",
        "rule:k_zero_below_f",
        "rule:beta",
        "rule:mi_weights",
        "table:E",
        "table:E/d_600_1000",
        "table:density_classes",
    } <= ids
    # confirmed figures are not flagged
    assert not ids & {
        "rule:alpha",
        "rule:ri_weights",
        "table:K",
        "table:T",
        "code:PL",
        "table:defect_grades",
        "table:index_grades",
        "code:FZ",
    }
    assert all(u.zh and u.en for u in pack.unconfirmed_rules())


@pytest.mark.parametrize(
    ("table", "value", "expected"),
    [("K", "central", 10), ("K", 6, 6), ("K", "3", 3), ("T", "medium", 8), ("T", 0, 0)],
)
def test_pack_weight_value_accepts_keys_and_values(pack, table, value, expected):
    assert pack.weight_value(table, value) == expected


def test_pack_weight_value_rejects_value_not_in_table(pack):
    with pytest.raises(ValidationError, match=r"K must be one of \[10.0, 6.0, 3.0, 0.0\]"):
        pack.weight_value("K", 5)


# --- observation validation --------------------------------------------------------------------
def test_validate_observation_wrong_grade_raises_grade_error(pack):
    with pytest.raises(GradeError, match=r"^FS has grades 1–3; got 4\.$") as info:
        pack.validate_observation("FS", 4)
    assert info.value.record == "FS"
    assert info.value.field == "grade"
    assert isinstance(info.value, SurveyError)


@pytest.mark.parametrize("grade", [0, 5, 2.5, "x", None, True])
def test_validate_observation_rejects_bad_grades(pack, grade):
    with pytest.raises(GradeError):
        pack.validate_observation("PL", grade)


def test_validate_observation_accepts_whole_number_forms(pack):
    assert pack.validate_observation(" pl ", 2.0).code == "PL"
    assert pack.score("PL", "4") == 10


def test_validate_observation_unknown_code(pack):
    with pytest.raises(CodeNotFoundError, match="'XX' is not in standard pack cjj181-2012"):
        pack.validate_observation("XX", 1)


# --- loading other packs -----------------------------------------------------------------------
def test_load_pack_modified_copy(tmp_path, pack_dict):
    pack_dict["pack_id"] = "province-x"
    pack_dict["codes"][0]["grades"][2]["score"] = 6
    pack = load_pack(write_pack(tmp_path, pack_dict))
    assert pack.pack_id == "province-x"
    assert pack.score("PL", 3) == 6
    assert pack.path == str(tmp_path / "pack.json")


def test_load_pack_provincial_codes(tmp_path, pack_dict):
    pack_dict["codes"].append(
        {
            "code": "CW",
            "kind": "structural",
            "label_zh": "错位",
            "label_en": "Displacement",
            "grades": [{"grade": 1, "score": 1, "zh": "", "en": ""}],
        }
    )
    pack = load_pack(write_pack(tmp_path, pack_dict))
    assert pack.score("CW", 1) == 1
    assert pack.code("CW").active


def _del(d: dict, path: list) -> None:
    for p in path[:-1]:
        d = d[p]
    del d[path[-1]]


def _set(d: dict, path: list, value) -> None:
    for p in path[:-1]:
        d = d[p]
    d[path[-1]] = value


@pytest.mark.parametrize(
    ("path", "value", "key"),
    [
        (["rules", "alpha"], None, "rules.alpha"),
        (["rules", "alpha", "value"], "1.1", "rules.alpha.value"),
        (["rules", "ri_weights", "value", "T"], None, "rules.ri_weights.value.T"),
        (["codes", 0, "grades", 2, "score"], "five", "codes[0].grades[2].score"),
        (["codes", 0, "grades", 2, "score"], None, "codes[0].grades[2].score"),
        (["codes", 3, "kind"], "operational", "codes[3].kind"),
        (["codes", 1, "code"], "PL", "codes[1].code"),
        (["codes", 2, "grades", 1, "grade"], 1, "codes[2].grades[1].grade"),
        (["tables", "K", "rows", 0, "value"], "ten", "tables.K.rows[0].value"),
        (["tables", "defect_grades", "rows", 1, "upper"], 0.5, "tables.defect_grades.rows"),
        (["tables", "E", "rows", 3, "above_mm"], 0, "tables.E.rows[3].above_mm"),
        (["tables", "density_classes"], None, "tables.density_classes"),
        (["format_version"], 2, "format_version"),
        (["pack_id"], None, "pack_id"),
        (["rules", "near_spacing_max_m", "value"], 0.5, "rules.near_spacing_max_m.value"),
    ],
)
def test_load_pack_malformed_names_the_key(tmp_path, pack_dict, path, value, key):
    if value is None and path[-1] != "score":
        _del(pack_dict, path)
    else:
        _set(pack_dict, path, value)
    with pytest.raises(StandardPackError) as info:
        load_pack(write_pack(tmp_path, pack_dict, "bad.json"))
    assert f"key '{key}'" in info.value.message
    assert "bad.json" in info.value.message
    assert info.value.key == key
    assert info.value.file == str(tmp_path / "bad.json")


def test_load_pack_not_json(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"pack_id": ', encoding="utf-8")
    with pytest.raises(StandardPackError, match=r"broken.json is not valid JSON \(line 1"):
        load_pack(path)


def test_load_pack_missing_file(tmp_path):
    with pytest.raises(StandardPackError, match=r"Cannot read standard pack nope\.json"):
        load_pack(tmp_path / "nope.json")


def test_load_pack_not_an_object(tmp_path):
    path = write_pack(tmp_path, [])  # type: ignore[arg-type]
    with pytest.raises(StandardPackError, match="must be a JSON object"):
        load_pack(path)
