"""``survey import``, ``survey list`` and ``grade`` on the command line; the demo project."""

import json
import shutil

import pytest
from openpyxl import load_workbook
from synthetic_surveys import make_pipes_gpkg

from gisapp.cli import main
from surveys.store import SurveyStore


@pytest.fixture
def project(tmp_path):
    return make_pipes_gpkg(tmp_path / "park.gpkg", 3)


def write_csv(path, rows):
    path.write_text(
        "管段编号,距离,缺陷代码,等级,时钟表示\n" + "".join(r + "\n" for r in rows),
        encoding="utf-8",
    )
    return path


def test_cli_survey_import_list_and_grade(project, tmp_path, capsys):
    table = write_csv(tmp_path / "t.csv", ["P1,2,PL,2,0210", "P1,3.2,CK,3,", "P2,1,FS,4,"])
    assert main(["survey", "import", str(project), str(table), "--contractor", "某公司"]) == 0
    out = capsys.readouterr().out
    assert "imported 2 observation(s) from t.csv" in out
    assert "rejected: t.csv row 4, field grade (column 等级): FS has grades 1–3; got 4." in out
    assert main(["survey", "list", str(project), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["counts"]["observation"] == 2 and data["counts"]["inspection"] == 1
    assert main(["grade", str(project)]) == 0
    out = capsys.readouterr().out
    assert "P1" in out and "III" in out and "1 inspected pipe(s) of 3" in out
    assert main(["grade", str(project), "--json"]) == 0
    grades = json.loads(capsys.readouterr().out)
    assert grades[0]["pipe_id"] == "P1" and grades[0]["f"] == 5.0
    xlsx = tmp_path / "g.xlsx"
    assert main(["grade", str(project), "--xlsx", str(xlsx)]) == 0
    assert "管段状况评估表" in load_workbook(xlsx).sheetnames


def test_cli_survey_import_mapping_option(project, tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("管道,位置,类型,级\nP1,1,PL,1\n", encoding="utf-8")
    assert (
        main(
            [
                "survey",
                "import",
                str(project),
                str(p),
                "--mapping",
                "pipe_id=管道,distance_m=位置,code=类型,grade=级",
            ]
        )
        == 0
    )


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["survey", "import", "{project}", "{tmp}/none.csv"], "none.csv does not exist"),
        (["survey", "import", "{project}", "{tmp}/bad.csv"], "row 2, field distance_m"),
        (["survey", "import", "{project}", "{tmp}/bad.csv", "--mapping", "x=y"], "unknown"),
        (["survey", "list", "{tmp}/nope.gpkg"], "does not exist"),
        (["ledger", "import", "{project}", "{tmp}/bad.csv"], "not an Excel"),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(project, tmp_path, capsys, args, match):
    write_csv(tmp_path / "bad.csv", ["P1,-2,PL,1,"])
    argv = [a.format(project=project, tmp=tmp_path) for a in args]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and match in err[0]


@pytest.mark.parametrize(
    "args",
    [
        ["survey", "list", "{plain}"],
        ["grade", "{plain}", "--json"],
        ["survey", "import", "{plain}", "{tmp}/t.csv"],
        ["ledger", "import", "{plain}", "{tmp}/l.xlsx"],
        ["ledger", "export", "{plain}", "--xlsx", "{tmp}/l.xlsx"],
        ["info", "{plain}"],
    ],
)
def test_cli_refuses_plain_geopackage_like_info(tmp_path, capsys, args):
    import geopandas as gpd
    from shapely.geometry import LineString

    plain = tmp_path / "plain.gpkg"
    gpd.GeoDataFrame(
        {"pipe_id": ["P1"]}, geometry=[LineString([(0, 0), (1, 1)])], crs="EPSG:4547"
    ).to_file(plain, layer="pipes", engine="pyogrio")
    write_csv(tmp_path / "t.csv", ["P1,0.5,PL,1,"])
    before = plain.read_bytes()
    assert main([a.format(plain=plain, tmp=tmp_path) for a in args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "plain.gpkg is a GeoPackage but not a PipeAtlas project" in err[0]
    assert plain.read_bytes() == before


def test_demo_project_takes_survey_records(demo_project, tmp_path):
    if not demo_project.exists():
        pytest.skip("demo project not built")
    path = tmp_path / "demo.gpkg"
    shutil.copyfile(demo_project, path)
    from surveys.records import Observation

    with SurveyStore(path) as store:
        pipes = store.pipes_frame()
        assert len(pipes) > 10 and pipes["length_m"].notna().all()
        pid = pipes.index[0]
        store.add(
            Observation(
                pipe_id=pid, distance_m=min(1.0, pipes.loc[pid, "length_m"]), code="PL", grade=4
            )
        )
        assert store.grades_frame().loc[pid, "structural_grade"] == "IV"
        assert len(store.regrade()) == len(pipes)
    from network.io.project import open_project

    assert len(open_project(path).layer("pipes")) == len(pipes)


def test_cli_survey_import_keeps_per_row_dates(project, tmp_path, capsys):
    """Issue 10 item 11: rows dated 2024-05-11 stay 2024-05-11 (a real openpyxl workbook)."""
    import datetime as dt

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["管段编号", "距离", "缺陷代码", "等级", "检测日期"])
    ws.append(["P1", 2, "PL", 2, dt.datetime(2024, 5, 10)])
    ws.append(["P2", 1, "PL", 2, dt.datetime(2024, 5, 11)])
    ws.append(["P2", 3, "PL", 2, dt.datetime(2024, 5, 12)])
    path = tmp_path / "dated.xlsx"
    wb.save(path)
    assert main(["survey", "import", str(project), str(path)]) == 0
    out = capsys.readouterr().out
    assert "(inspections " in out and "2024-05-11" in out
    assert "warning: dated.xlsx row 3, field date (column 检测日期): pipe P2 has rows" in out
    assert main(["survey", "list", str(project), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["counts"]["inspection"] == 3
    with SurveyStore(project) as s:
        dates = {i.uuid: i.date for i in s.records("inspection")}
        got = sorted(
            (o.pipe_id, o.distance_m, dates[o.inspection_id]) for o in s.records("observation")
        )
    assert got == [
        ("P1", 2.0, "2024-05-10"),
        ("P2", 1.0, "2024-05-11"),
        ("P2", 3.0, "2024-05-12"),
    ]
