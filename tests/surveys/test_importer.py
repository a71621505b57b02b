"""Importing contractor inspection tables (CSV/Excel) with bad rows."""

import datetime as dt
import json

import pandas as pd
import pytest
from openpyxl import Workbook
from synthetic_surveys import make_pipes_gpkg

from surveys.importer import guess_mapping, import_observations, load_mapping, read_table
from surveys.store import SurveyStore
from surveys.store_errors import MappingError, TableImportError

#: The columns of a typical CCTV contractor's results sheet.
HEADERS = (
    "序号",
    "管段编号",
    "起始井号",
    "终止井号",
    "距离（m）",
    "缺陷代码",
    "缺陷名称",
    "等级",
    "时钟表示",
    "长度(m)",
    "视频时间",
    "备注",
)

TODAY = dt.date(2024, 6, 1)


@pytest.fixture
def store(tmp_path):
    s = SurveyStore(
        make_pipes_gpkg(tmp_path / "park.gpkg", 3), author="alice", today=lambda: TODAY
    )
    yield s
    s.close()


def contractor_xlsx(path):
    """A contractor's workbook: title rows, Chinese headers, good and bad rows."""
    wb = Workbook()
    ws = wb.active
    ws.append(["某园区排水管道CCTV检测成果表"])
    ws.append(["检测单位：某检测公司", None, None, "检测日期：2024-05-10"])
    ws.append([*HEADERS, "检测日期"])
    rows = [
        (
            1,
            "P1",
            "J1",
            "J2",
            3.5,
            "PL",
            "破裂",
            3,
            "0210",
            None,
            "00:01:20",
            "裂口",
            "2024-05-10",
        ),
        (2, "P1", "J1", "J2", 12, "CK(2)", "错口", None, "03", None, "", "", "2024-05-10"),
        (3, "P9", "", "", 1, "PL", "", 1, "", None, "", "unknown pipe", "2024-05-10"),
        (4, "P2", "J2", "J3", "abc", "PL", "", 1, "", None, "", "bad distance", "2024-05-10"),
        (5, "P2", "J2", "J3", 5, "FS", "腐蚀", "Ⅳ", "", None, "", "FS has no IV", "2024-05-11"),
        (6, "", "J3", "J4", 2, "", "沉积", "2级", "", 3.0, "", "by name, by nodes", "2024-05-11"),
        (7, "", "J4", "J3", 4, "TJ", "", 2, "", None, "", "reversed nodes", "2024-05-11"),
        (8, "", "K1", "K2", 4, "TJ", "", 2, "", None, "", "pending nodes", "2024-05-11"),
        (9, "P3", "", "", 45, "TJ", "", 2, "", None, "", "beyond length", "2024-05-11"),
        (10, "P3", "", "", 4, "TJ", "", 2, "25", None, "", "bad clock", "2024-05-11"),
        (11, "P3", "", "", -1, "ZZ", "", 2, "", None, "", "neg + code", "2024-05-11"),
    ]
    for r in rows:
        ws.append(list(r))
    ws.append([])
    wb.save(path)
    return path


def test_guess_mapping_from_chinese_headers():
    m = guess_mapping(list(HEADERS))
    assert m == {
        "pipe_id": "管段编号",
        "start_node": "起始井号",
        "end_node": "终止井号",
        "distance_m": "距离（m）",
        "code": "缺陷代码",
        "code_name": "缺陷名称",
        "grade": "等级",
        "clock": "时钟表示",
        "length_m": "长度(m)",
        "video_time": "视频时间",
        "remarks": "备注",
    }


def test_read_table_finds_header_below_title_rows(tmp_path):
    table, header_row = read_table(contractor_xlsx(tmp_path / "t.xlsx"))
    assert header_row == 3
    assert table.index[0] == 4 and len(table) == 11


def test_import_contractor_table_lists_bad_rows_and_imports_the_rest(store, tmp_path):
    res = import_observations(store, contractor_xlsx(tmp_path / "t.xlsx"), contractor="某公司")
    rejected = {p.row: p for p in res.rejected}
    assert sorted(rejected) == [6, 7, 8, 12, 13, 14]
    assert rejected[6].field == "pipe_id" and "P9" in rejected[6].reason
    assert rejected[7].field == "distance_m" and rejected[7].column == "距离（m）"
    assert rejected[8].field == "grade" and "FS has grades 1–3" in rejected[8].reason
    assert rejected[12].field == "distance_m" and "beyond the length" in rejected[12].reason
    assert rejected[13].field == "clock"
    assert "(+1 more)" in rejected[14].reason
    assert str(rejected[7]).startswith("row 7, field distance_m (column 距离（m）): ")
    assert len(res.imported) == 5 and res.pending == 1
    by_remark = {o.remarks: o for o in res.imported}
    first = by_remark["裂口"]
    assert (first.pipe_id, first.distance_m, first.code, first.grade) == ("P1", 3.5, "PL", 3)
    assert (first.clock_from, first.clock_to, first.video_time) == (2, 10, "00:01:20")
    ck = next(o for o in res.imported if o.code == "CK")
    assert ck.grade == 2 and ck.clock_from == 3
    named = by_remark["by name, by nodes"]
    assert (named.code, named.grade, named.pipe_id, named.length_m) == ("CJ", 2, "P3", 3.0)
    rev = by_remark["reversed nodes"]
    assert (rev.pipe_id, rev.reverse) == ("P3", True)
    assert by_remark["pending nodes"].pipe_id == ""
    # one inspection per date: every observation keeps its own row's date
    assert [i.date for i in res.inspections] == ["2024-05-10", "2024-05-11"]
    assert res.inspection.date == "2024-05-10" and res.inspection.contractor == "某公司"
    dates = {i.uuid: i.date for i in store.records("inspection")}
    got = {o.remarks: dates[o.inspection_id] for o in store.records("observation")}
    assert got["裂口"] == "2024-05-10" and got["by name, by nodes"] == "2024-05-11"
    assert got["reversed nodes"] == got["pending nodes"] == "2024-05-11"
    assert store.grades_frame().loc["P1", "n"] == 2


def test_import_gbk_csv_with_explicit_mapping(store, tmp_path):
    p = tmp_path / "t.csv"
    text = "管道,位置米,类型,级\nP1,2.5,PL,2\nP2,3,SL,4\n"
    p.write_bytes(text.encode("gbk"))
    mapping = {"pipe_id": "管道", "distance_m": "位置米", "code": "类型", "grade": "级"}
    res = import_observations(store, p, mapping)
    assert len(res.imported) == 2 and not res.rejected
    m = tmp_path / "m.json"
    m.write_text(json.dumps(mapping, ensure_ascii=False), encoding="utf-8")
    assert load_mapping(str(m)) == mapping
    assert load_mapping("pipe_id=管道, code=类型") == {"pipe_id": "管道", "code": "类型"}


@pytest.mark.parametrize(
    ("mapping", "exc", "match"),
    [
        ({"pipe": "管道"}, MappingError, "unknown"),
        ({"pipe_id": "不存在"}, MappingError, "has no column '不存在'"),
    ],
)
def test_import_bad_mapping(store, tmp_path, mapping, exc, match):
    p = tmp_path / "t.csv"
    p.write_text("管道,距离,缺陷代码,等级\nP1,1,PL,1\n", encoding="utf-8")
    with pytest.raises(exc, match=match):
        import_observations(store, p, mapping)


def test_import_unreadable_files(store, tmp_path):
    with pytest.raises(TableImportError, match="does not exist"):
        import_observations(store, tmp_path / "none.csv")
    p = tmp_path / "t.csv"
    p.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(TableImportError, match="no column for the defect code"):
        import_observations(store, p)
    q = tmp_path / "t2.csv"
    q.write_text("管段编号,距离,缺陷代码,等级\nP1,-1,PL,1\n", encoding="utf-8")
    with pytest.raises(
        TableImportError,
        match=r"No row of t2\.csv could be imported\. First "
        r"problem: row 2, field distance_m",
    ):
        import_observations(store, q)
    r = tmp_path / "t.xls"
    r.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(TableImportError, match=r"save it as \.xlsx"):
        import_observations(store, r)
    assert store.count("observation") == 0 and store.count("inspection") == 0


def test_import_attaches_photos_from_folder(store, tmp_path):
    from PIL import Image

    folder = tmp_path / "photos"
    folder.mkdir()
    Image.new("RGB", (64, 48), "red").save(folder / "a.jpg")
    p = tmp_path / "t.csv"
    pd.DataFrame(
        {
            "管段编号": ["P1", "P1"],
            "距离": [1, 2],
            "缺陷代码": ["PL", "PL"],
            "等级": [1, 2],
            "照片": ["a.jpg", "missing.jpg"],
        }
    ).to_csv(p, index=False)
    res = import_observations(store, p, photo_folder=folder)
    assert len(res.imported) == 2
    assert res.imported[0].photos[0].startswith("park.photos/")
    assert res.imported[1].photos == []
    assert res.warnings[0].row == 3 and "not found" in res.warnings[0].reason


def test_import_without_guessing_reads_only_the_mapped_columns(store, tmp_path):
    csv = tmp_path / "t.csv"
    csv.write_text("管段编号,距离,缺陷代码,等级,备注\nP1,3.5,PL,3,裂缝明显\n", encoding="utf-8")
    mapping = {"pipe_id": "管段编号", "distance_m": "距离", "code": "缺陷代码", "grade": "等级"}
    import_observations(store, csv, mapping, guess=False)
    import_observations(store, csv, mapping)  # guessing also reads 备注 as the remarks
    remarks = sorted(o.remarks or "" for o in store.records("observation"))
    assert remarks == ["", "裂缝明显"]


def dated_xlsx(path, rows):
    """A workbook with real Excel date cells (openpyxl writes them as dates)."""
    wb = Workbook()
    ws = wb.active
    ws.append(["管段编号", "距离（m）", "缺陷代码", "等级", "备注", "检测日期"])
    for r in rows:
        ws.append(list(r))
    wb.save(path)
    return path


def test_import_keeps_each_rows_date_and_warns_when_one_pipe_disagrees(store, tmp_path):
    d10, d11 = dt.datetime(2024, 5, 10), dt.datetime(2024, 5, 11)
    p = dated_xlsx(
        tmp_path / "dated.xlsx",
        [
            ("P1", 1, "PL", 2, "a", d10),
            ("P1", 2, "PL", 2, "b", None),  # merged cell below: same pipe, same day
            ("P2", 1, "PL", 2, "c", d11),
            ("P2", 3, "PL", 2, "d", "2024-05-12"),  # one pipe, two dates: warned
            ("P3", 1, "PL", 2, "e", "2024/05/11"),
            ("P3", 2, "PL", 2, "f", "明天"),  # unreadable: warned, the pipe's date
        ],
    )
    res = import_observations(store, p)
    assert len(res.imported) == 6 and not res.rejected
    assert [i.date for i in res.inspections] == ["2024-05-10", "2024-05-11", "2024-05-12"]
    dates = {i.uuid: i.date for i in store.records("inspection")}
    got = {o.remarks: dates[o.inspection_id] for o in store.records("observation")}
    assert got == {
        "a": "2024-05-10",
        "b": "2024-05-10",
        "c": "2024-05-11",
        "d": "2024-05-12",
        "e": "2024-05-11",
        "f": "2024-05-11",
    }
    warned = {(w.row, w.field): w.reason for w in res.warnings}
    assert "pipe P2 has rows of different dates" in warned[(4, "date")]
    assert "2024-05-11 (row 4), 2024-05-12 (row 5)" in warned[(4, "date")]
    assert "unreadable" in warned[(7, "date")]
    assert all(w.column == "检测日期" for w in res.warnings)
    assert len(res.warnings) == 2


def test_import_date_given_fills_rows_without_one(store, tmp_path):
    p = dated_xlsx(
        tmp_path / "d.xlsx",
        [("P1", 1, "PL", 2, "a", dt.datetime(2024, 5, 11)), ("P2", 1, "PL", 2, "b", None)],
    )
    res = import_observations(store, p, inspection_date="2024-05-01")
    dates = {i.uuid: i.date for i in store.records("inspection")}
    got = {o.remarks: dates[o.inspection_id] for o in store.records("observation")}
    assert got == {"a": "2024-05-11", "b": "2024-05-01"}
    assert [(w.row, w.field) for w in res.warnings] == [(3, "date")]
    assert "filed under 2024-05-01" in res.warnings[0].reason
