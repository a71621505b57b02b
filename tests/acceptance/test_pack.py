"""The checklist pack: the shipped default says what it is, a replaced pack works unchanged,
a bad pack or rule is refused with a message naming the file, item and field."""

from __future__ import annotations

import json

import pytest

from surveys.acceptance.assess import assess
from surveys.acceptance.pack import load_pack, parse_pack
from surveys.acceptance.rules import AcceptanceError, parse_expression
from surveys.acceptance.store import AcceptanceStore

PROVINCE_PACK = {
    "format": "pipeatlas-acceptance-pack",
    "id": "hunan-test-2025",
    "title_zh": "某省工业园区污水零直排区评分细则（测试）",
    "official": True,
    "pass_score": 80,
    "groups": [
        {"code": "ent", "title_zh": "企业"},
        {"code": "pipe", "title_zh": "管网"},
        {"code": "mgmt", "title_zh": "管理"},
    ],
    "items": [
        {
            "code": "A1",
            "group": "ent",
            "points": 40,
            "title_zh": "纳管率达到100%",
            "method": "auto",
            "rule": "connection_rate >= 1",
        },
        {
            "code": "A2",
            "group": "ent",
            "points": 20,
            "title_zh": "纳管水量",
            "method": "auto",
            "rule": "points * connection_rate_volume",
        },
        {
            "code": "B1",
            "group": "pipe",
            "points": 25,
            "title_zh": "无雨污混接、无违规排口",
            "method": "auto",
            "rule": "points if n_misconnections + n_outfalls_illegal == 0 "
            "else clamp(points - 10 * (n_misconnections + n_outfalls_illegal), 0, points)",
        },
        {
            "code": "C1",
            "group": "mgmt",
            "points": 15,
            "title_zh": "档案管理",
            "method": "manual",
            "evidence_zh": "档案目录",
        },
    ],
}


def test_default_pack_says_it_is_pipeatlas_default_not_official():
    p = load_pack()
    assert not p.official
    assert "PipeAtlas的默认评分表" in p.about_zh and "不是官方的《评分细则》" in p.about_zh
    assert "重庆市" in p.about_zh
    assert p.pass_score == 90 and p.max_total == 100
    assert [g.code for g in p.groups] == ["source", "network", "plant", "management"]
    assert {i.group for i in p.items} == {"source", "network", "plant", "management"}
    assert all(i.evidence_zh for i in p.items)


def test_a_replaced_pack_with_other_items_and_points_is_used_unchanged(small_park, tmp_path):
    path = tmp_path / "province.json"
    path.write_text(json.dumps(PROVINCE_PACK, ensure_ascii=False), encoding="utf-8")
    pack = load_pack(path)
    with AcceptanceStore(small_park) as st:
        st.set_manual_score(pack, "C1", 12, "目录不全")
    a = assess(small_park, pack=path, date="2025-05-01", save=True).assessment
    # A1: 2/4 connected → the condition fails → 0; A2: 20 × 300/380 t/d = 15.79;
    # B1: 1 misconnection + 1 illegal outfall → 25 − 20 = 5; C1: manual 12
    assert {s.code: s.score for s in a.items} == pytest.approx(
        {"A1": 0.0, "A2": 15.79, "B1": 5.0, "C1": 12.0}
    )
    assert a.total == pytest.approx(32.79)
    assert a.max_total == 100 and a.pack.pass_score == 80 and not a.passed
    assert a.subtotals() == {"ent": (15.79, 60.0), "pipe": (5.0, 25.0), "mgmt": (12.0, 15.0)}


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"format": "x"}, "not an acceptance checklist pack"),
        (
            {
                "items": [
                    {
                        "code": "A1",
                        "group": "zzz",
                        "points": 1,
                        "title_zh": "x",
                        "method": "manual",
                    }
                ]
            },
            "names group 'zzz'",
        ),
        (
            {
                "items": [
                    {
                        "code": "A1",
                        "group": "ent",
                        "points": -3,
                        "title_zh": "x",
                        "method": "manual",
                    }
                ]
            },
            "has points -3",
        ),
        (
            {
                "items": [
                    {
                        "code": "A1",
                        "group": "ent",
                        "points": 3,
                        "title_zh": "x",
                        "method": "auto",
                        "rule": "points * coverage_ratio",
                    }
                ]
            },
            "unknown fact.*coverage_ratio",
        ),
        (
            {
                "items": [
                    {
                        "code": "A1",
                        "group": "ent",
                        "points": 3,
                        "title_zh": "x",
                        "method": "auto",
                        "rule": "open('/etc/passwd')",
                    }
                ]
            },
            "only min, max, abs, round, clamp can be called",
        ),
        (
            {
                "items": [
                    {
                        "code": "A1",
                        "group": "ent",
                        "points": 3,
                        "title_zh": "x",
                        "method": "manual",
                    },
                    {
                        "code": "A1",
                        "group": "ent",
                        "points": 3,
                        "title_zh": "y",
                        "method": "manual",
                    },
                ]
            },
            "A1 appears twice",
        ),
    ],
)
def test_a_bad_pack_is_refused_naming_the_item(change, match):
    with pytest.raises(AcceptanceError, match=match) as info:
        parse_pack({**PROVINCE_PACK, **change}, file="province.json")
    assert "province.json" in info.value.message


def test_a_pack_file_that_is_not_json_names_the_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"format": "pipeatlas-acceptance-pack",\n "id": }', encoding="utf-8")
    with pytest.raises(AcceptanceError, match=r"bad.json is not valid JSON \(line 2"):
        load_pack(path)


@pytest.mark.parametrize(
    ("text", "facts", "value"),
    [
        ("points * connection_rate", {"points": 10, "connection_rate": 0.5}, 5.0),
        ("max(0, points - 2 * n)", {"points": 8, "n": 5}, 0),
        ("n == 0 and m < 3", {"n": 0, "m": 2}, True),
        ("points if n > 0 else 0", {"points": 3, "n": 0}, 0),
        ("clamp(x, 0, 1)", {"x": 1.7}, 1),
        ("a / b", {"a": 1, "b": 0}, None),  # no data, not a crash
        ("points * rate", {"points": 4, "rate": None}, None),
        ("not n", {"n": 0}, True),
        ("1 < x <= 3", {"x": 3}, True),
    ],
)
def test_rule_language_evaluates(text, facts, value):
    assert parse_expression(text).evaluate(facts) == value


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("x.__class__", "Attribute is not part of the rule language"),
        ("x[0]", "Subscript is not part of the rule language"),
        ("2 ** 1000000", r"\*\* is not part of the rule language"),
        ("'a' * 3", "only numbers and True/False"),
        ("lambda: 1", "Lambda is not part of"),
        ("min(x, key=1)", "takes no keyword arguments"),
        ("__import__('os').system('x')", "not __import__|not part of"),
        ("points *", "is not a valid expression"),
    ],
)
def test_rule_language_refuses_everything_else(text, match):
    with pytest.raises(AcceptanceError, match=match):
        parse_expression(text)
