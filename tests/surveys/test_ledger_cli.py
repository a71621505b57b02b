"""``ledger export`` / ``ledger import`` on the command line."""

from openpyxl import load_workbook
from synthetic_surveys import make_pipes_gpkg

from gisapp.cli import main
from surveys import ledger
from surveys.records import Problem
from surveys.store import SurveyStore


def test_cli_ledger_round_trip(tmp_path, capsys):
    project = make_pipes_gpkg(tmp_path / "park.gpkg", 3)
    with SurveyStore(project) as s:
        p = s.add(Problem(description="雨污混接", responsible_body="企业A"))
    xlsx = tmp_path / "l.xlsx"
    assert main(["ledger", "export", str(project), "--xlsx", str(xlsx)]) == 0
    assert "1 problem(s)" in capsys.readouterr().out
    wb = load_workbook(xlsx)
    wb[ledger.LEDGER_SHEET]["C3"] = "封堵错接点"
    wb.save(xlsx)
    assert main(["ledger", "import", str(project), str(xlsx)]) == 0  # not a tty: dry run
    out = capsys.readouterr().out
    assert "1 changed" in out and "dry run" in out
    with SurveyStore(project) as s:
        assert s.get("problem", p.uuid).measure == ""
    assert main(["ledger", "import", str(project), str(xlsx), "--yes"]) == 0
    assert "applied: 1 updated" in capsys.readouterr().out
    with SurveyStore(project) as s:
        assert s.get("problem", p.uuid).measure == "封堵错接点"
