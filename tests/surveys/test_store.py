"""The survey record store: records, validation, revisions, locking, grades, migration."""

import dataclasses
import datetime as dt
import os
import shutil
import sqlite3
from pathlib import Path

import pyogrio
import pytest
from synthetic_surveys import make_pipes_gpkg

from surveys import schema_sv
from surveys.record_commands import AddRecord, DeleteRecord, EditRecord
from surveys.records import (
    Inspection,
    Leak,
    Misconnection,
    Observation,
    Problem,
    Siltation,
    suggest_siltation_grade,
)
from surveys.store import SurveyStore
from surveys.store_errors import (
    RecordNotFoundError,
    RecordValidationError,
    StaleEditError,
    StoreFileError,
    StoreLockedError,
    StoreVersionError,
)

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = dt.date(2024, 6, 1)


@pytest.fixture
def project(tmp_path):
    return make_pipes_gpkg(tmp_path / "park.gpkg", 3)  # P1..P3, 40 m, DN400


@pytest.fixture
def store(project):
    s = SurveyStore(project, author="alice", today=lambda: TODAY)
    yield s
    s.close()


def obs(**kw):
    base = {"pipe_id": "P1", "distance_m": 3.0, "code": "PL", "grade": 2}
    return Observation(**{**base, **kw})


# --- records and validation --------------------------------------------------------------------
def test_store_add_fills_bookkeeping_fields(store):
    rec = store.add(obs())
    assert len(rec.uuid) == 36
    assert rec.author == "alice" and rec.modified_by == "alice"
    assert rec.revision == 1 and not rec.deleted
    assert rec.created == rec.modified
    assert store.get("observation", rec.uuid) == rec


@pytest.mark.parametrize(
    "rec",
    [
        Inspection(date="2024-05-01", method="qv", contractor="某公司", crew="张三", weather="晴"),
        Misconnection(
            date="2024-05-02",
            x=1.5,
            y=2.5,
            direction="rain_to_sewage",
            pipe_ids=["P1", "P2"],
            cod_mgl=210.0,
            nh3n_mgl=25.5,
            conductivity_us_cm=900.0,
            flow_observed=True,
            smell="臭",
            enterprise_id="E1",
        ),
        Leak(date="2024-05-03", event="overflow", at_kind="outfall", at_id="PK1", volume_m3=2.0),
        Siltation(date="2024-05-04", at_kind="pipe", at_id="P2", distance_m=5.0, depth_mm=120.0),
        Problem(
            description="井盖缺失",
            deadline="2024-07-01",
            notes=[{"date": "2024-05-05", "text": "已通知", "author": "a"}],
            photos=["x.photos/a.jpg"],
        ),
    ],
    ids=lambda r: r.KIND,
)
def test_store_round_trips_every_record_kind(store, rec):
    saved = store.add(rec)
    back = store.get(rec.KIND, saved.uuid)
    assert back.content() == rec.content()


@pytest.mark.parametrize(
    ("rec", "field", "kind"),
    [
        (obs(distance_m=-1.0), "distance_m", "negative"),
        (obs(distance_m=41.0), "distance_m", "beyond_length"),
        (obs(distance_m=39.0, length_m=3.0), "length_m", "beyond_length"),
        (obs(code="FS", grade=4), "grade", "bad_grade"),
        (obs(code="XX"), "code", "unknown_code"),
        (obs(grade=None), "grade", "required"),
        (obs(pipe_id="P9"), "pipe_id", "unknown_pipe"),
        (obs(pipe_id=""), "pipe_id", "required"),
        (obs(clock_from=13), "clock_from", "out_of_range"),
        (Inspection(date="2024-06-02"), "date", "future_date"),
        (Inspection(date="2024-13-40"), "date", "bad_date"),
        (Inspection(date="2024-05-01", method="drone"), "method", "bad_choice"),
        (Siltation(date="2024-05-01", at_id="P1", depth_mm=-5), "depth_mm", "negative"),
        (Problem(description=""), "description", "required"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_store_add_refuses_invalid_field(store, rec, field, kind):
    with pytest.raises(RecordValidationError) as info:
        store.add(rec)
    got = [(p.field, p.kind) for p in info.value.problems]
    assert (field, kind) in got
    assert info.value.field == got[0][0]
    assert store.count(rec.KIND) == 0


def test_validation_messages_say_what_and_how(store):
    with pytest.raises(RecordValidationError) as info:
        store.add(obs(code="FS", grade=4, distance_m=45))
    msgs = {p.field: p for p in info.value.problems}
    assert "beyond the length of pipe P1 (40.00 m)" in msgs["distance_m"].message_en
    assert "超出管段 P1" in msgs["distance_m"].message_zh
    assert msgs["grade"].message_en == "FS has grades 1–3; got 4."
    assert msgs["grade"].expected == [1, 2, 3]


def test_future_deadline_is_allowed(store):
    assert store.add(Problem(description="x", deadline="2030-01-01")).deadline == "2030-01-01"


def test_observation_on_free_text_manholes_is_kept_pending_then_resolved(store):
    a = store.add(Observation(start_node="J2", end_node="J3", distance_m=2, code="CK", grade=3))
    b = store.add(Observation(start_node="J3", end_node="J2", distance_m=1, code="PL", grade=1))
    c = store.add(Observation(start_node="J8", end_node="J9", distance_m=1, code="PL", grade=1))
    n, messages = store.resolve_pending()
    assert n == 2
    assert store.get("observation", a.uuid).pipe_id == "P2"
    rb = store.get("observation", b.uuid)
    assert (rb.pipe_id, rb.reverse) == ("P2", True)
    assert store.get("observation", c.uuid).pipe_id == ""
    assert messages == ["J8→J9: no pipe joins these manholes."]


# --- revisions, soft delete, two windows -----------------------------------------------------
def test_update_bumps_revision_and_keeps_author(store):
    rec = store.add(obs())
    bob = SurveyStore(store.path, author="bob", today=lambda: TODAY)
    saved = bob.update(dataclasses.replace(rec, remarks="checked"))
    assert saved.revision == 2 and saved.author == "alice" and saved.modified_by == "bob"
    assert store.get("observation", rec.uuid).remarks == "checked"
    bob.close()


def test_stale_edit_from_second_window_is_refused_not_overwritten(store):
    rec = store.add(obs())
    other = SurveyStore(store.path, author="bob", today=lambda: TODAY)
    theirs = other.get("observation", rec.uuid)
    store.update(dataclasses.replace(rec, grade=3))
    with pytest.raises(StaleEditError, match=r"changed by alice .* after you opened it"):
        other.update(dataclasses.replace(theirs, grade=1))
    assert other.get("observation", rec.uuid).grade == 3
    other.close()


def test_edit_of_record_deleted_elsewhere_is_refused(store):
    rec = store.add(obs())
    store.delete("observation", rec.uuid)
    with pytest.raises(StaleEditError, match="deleted"):
        store.update(dataclasses.replace(rec, grade=3))


def test_soft_delete_and_undelete(store):
    rec = store.add(obs())
    store.delete("observation", rec.uuid)
    assert store.count("observation") == 0
    assert store.count("observation", include_deleted=True) == 1
    assert store.get("observation", rec.uuid).deleted
    back = store.undelete("observation", rec.uuid)
    assert not back.deleted and back.revision == 3
    with pytest.raises(RecordNotFoundError):
        store.get("observation", "nope")


def test_save_waits_for_lock_then_reports_it(project):
    s = SurveyStore(project, busy_timeout_s=0.05, today=lambda: TODAY)
    blocker = sqlite3.connect(project, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    with pytest.raises(StoreLockedError, match="locked by another window"):
        s.add(obs())
    blocker.execute("ROLLBACK")
    blocker.close()
    assert s.add(obs()).revision == 1
    s.close()


def test_listeners_hear_commits(store):
    events = []
    unsubscribe = store.subscribe(events.append)
    rec = store.add(obs())
    store.delete("observation", rec.uuid)
    unsubscribe()
    store.undelete("observation", rec.uuid)
    assert [(e.action, e.pipe_ids) for e in events] == [("added", ("P1",)), ("deleted", ("P1",))]


# --- grades ----------------------------------------------------------------------------------
def test_grades_recomputed_when_observations_change(store):
    a = store.add(obs(code="PL", grade=2, distance_m=2.0))
    g = store.grades_frame().loc["P1"]
    assert (g["n"], g["f"], g["structural_grade"]) == (1, 2.0, "II")
    b = store.add(obs(code="CK", grade=3, distance_m=3.2))  # 1.2 m apart: alpha applies
    g = store.grades_frame().loc["P1"]
    assert g["s"] == pytest.approx((2 * 1.1 + 5 * 1.1) / 2)
    assert g["f"] == 5.0 and g["structural_grade"] == "III"
    store.update(dataclasses.replace(b, pipe_id="P2"))
    grades = store.grades_frame()
    assert grades.loc["P1", "f"] == 2.0 and grades.loc["P2", "f"] == 5.0
    store.delete("observation", a.uuid)
    assert store.grades_frame().loc["P1", "n"] == 0


def test_reversed_observation_is_flipped_for_grading(store):
    store.add(obs(code="PL", grade=2, distance_m=10.0, reverse=True))
    store.add(obs(code="CK", grade=2, distance_m=28.8))  # 40-10 = 30: 1.2 m apart
    g = store.grades_frame().loc["P1"]
    assert g["s"] == pytest.approx(2 * 1.1)


def test_regrade_all_pipes(store):
    store.add(obs())
    grades = store.regrade()
    assert list(grades.index) == ["P1", "P2", "P3"]
    assert len(store.grades_frame()) == 3


# --- commands (undo) -------------------------------------------------------------------------
def test_add_command_undo_redo_keeps_uuid(store):
    cmd = AddRecord(store, obs())
    cmd.do()
    uuid = cmd.added.uuid
    cmd.undo()
    assert store.count("observation") == 0
    cmd.do()
    assert store.get("observation", uuid).deleted is False


def test_edit_command_undo_redo(store):
    rec = store.add(obs(grade=2))
    cmd = EditRecord(store, dataclasses.replace(rec, grade=4))
    cmd.do()
    assert store.get("observation", rec.uuid).grade == 4
    assert store.grades_frame().loc["P1", "f"] == 10.0
    cmd.undo()
    assert store.get("observation", rec.uuid).grade == 2
    assert store.grades_frame().loc["P1", "f"] == 2.0
    cmd.do()
    assert store.get("observation", rec.uuid).grade == 4


def test_undo_refused_when_record_edited_elsewhere(store):
    rec = store.add(obs(grade=2))
    cmd = EditRecord(store, dataclasses.replace(rec, grade=4))
    cmd.do()
    other = SurveyStore(store.path, author="bob", today=lambda: TODAY)
    other.update(dataclasses.replace(other.get("observation", rec.uuid), remarks="bob"))
    with pytest.raises(StaleEditError):
        cmd.undo()
    assert store.get("observation", rec.uuid).remarks == "bob"
    other.close()


def test_delete_command_undo(store):
    rec = store.add(obs())
    cmd = DeleteRecord(store, "observation", rec.uuid, rec.revision)
    cmd.do()
    assert store.count("observation") == 0
    cmd.undo()
    assert store.count("observation") == 1


# --- the file stays a GeoPackage ---------------------------------------------------------------
def test_survey_tables_leave_a_valid_geopackage(store):
    store.add(obs())
    names = [n for n, _ in pyogrio.list_layers(store.path)]
    assert "pipes" in names and "sv_observations" in names
    assert len(pyogrio.read_dataframe(store.path, layer="pipes")) == 3
    assert len(pyogrio.read_dataframe(store.path, layer="sv_observations")) == 1
    con = sqlite3.connect(store.path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()


def test_store_follows_a_project_file_replaced_on_disk(store, tmp_path):
    store.add(obs())
    copy = tmp_path / "copy.gpkg"
    shutil.copyfile(store.path, copy)
    os.replace(copy, store.path)  # what an atomic "save project" does
    store.add(obs(distance_m=5.0))
    fresh = SurveyStore(store.path)
    assert fresh.count("observation") == 2
    fresh.close()


def test_store_rejects_non_geopackage(tmp_path):
    bad = tmp_path / "x.gpkg"
    bad.write_text("hello")
    with pytest.raises(StoreFileError, match="not a GeoPackage"):
        SurveyStore(bad)
    with pytest.raises(StoreFileError, match="does not exist"):
        SurveyStore(tmp_path / "missing.gpkg")


# --- schema versions ---------------------------------------------------------------------------
def test_store_migrates_version_1_fixture(tmp_path):
    path = tmp_path / "old.gpkg"
    shutil.copyfile(FIXTURES / "survey_v1.gpkg", path)
    s = SurveyStore(path, today=lambda: TODAY)
    assert (s.migrated_from, s.schema_version) == (1, schema_sv.SCHEMA_VERSION)
    recs = {r.uuid[-1]: r for r in s.records("observation")}
    assert (recs["1"].clock_from, recs["1"].clock_to) == (2, 10)
    assert (recs["2"].clock_from, recs["2"].clock_to) == (3, None)
    assert recs["3"].clock_from is None and recs["3"].remarks == "淤积 [clock: 12点]"
    assert recs["1"].remarks == "裂口" and recs["1"].distance_m == 3.5
    assert s.records("inspection")[0].contractor == "某检测公司"
    cols = schema_sv.columns(s._conn, "sv_observations")
    assert "clock" not in cols
    s.add(obs())  # the migrated file takes new records and grades
    assert "P1" in s.grades_frame().index
    s.close()
    again = SurveyStore(path)
    assert again.migrated_from == schema_sv.SCHEMA_VERSION
    again.close()


def test_store_refuses_newer_schema(project):
    SurveyStore(project).close()
    con = sqlite3.connect(project)
    con.execute("UPDATE sv_meta SET value = '99' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    with pytest.raises(StoreVersionError, match="newer PipeAtlas"):
        SurveyStore(project)


def test_record_fields_match_current_tables(store):
    from surveys.records import META_FIELDS, RECORD_TYPES

    for cls in RECORD_TYPES.values():
        cols = set(schema_sv.columns(store._conn, cls.TABLE)) - {"fid"}
        assert cols == set(META_FIELDS) | {s.name for s in cls.specs()}, cls.TABLE


def test_suggest_siltation_grade():
    assert [suggest_siltation_grade(d, 400) for d in (50, 80, 130, 170, 210)] == [None, 1, 2, 3, 4]


# --- pipes come from the in-memory project -------------------------------------------------------
def test_store_grades_and_validates_against_unsaved_pipe_edits(project):
    from network.io.project import open_project

    opened = open_project(project)
    store = SurveyStore(project, pipes=opened, today=lambda: TODAY)
    store.add(obs(distance_m=2.0))
    assert store.grades_frame().loc["P1", "e"] == store.pack.e_value(400.0)
    with pytest.raises(RecordValidationError, match="beyond the length of pipe P1"):
        store.add(obs(distance_m=60.0))
    pipes = opened.layers["pipes"].copy()  # an edit: a new frame replaces the layer, unsaved
    row = pipes["pipe_id"] == "P1"
    pipes.loc[row, "diameter_mm"] = 1600.0
    pipes.loc[row, "length_m"] = 80.0
    opened.layers["pipes"] = pipes
    store.add(obs(distance_m=60.0))  # within the edited 80 m
    assert store.grades_frame().loc["P1", "e"] == store.pack.e_value(1600.0)
    assert store.pipe_info("P1")["diameter_mm"] == 1600.0
    saved = open_project(project).layers["pipes"].set_index("pipe_id")
    assert saved.loc["P1", "diameter_mm"] == 400.0  # nothing was written to the pipes layer
    store.close()


def test_store_asks_a_callable_pipe_source_on_every_use(project):
    from network.io.project import open_project

    layers = {"pipes": open_project(project).layers["pipes"]}
    store = SurveyStore(project, pipes=lambda: layers.get("pipes"), today=lambda: TODAY)
    assert store.has_pipes() and list(store.pipes_frame().index) == ["P1", "P2", "P3"]
    layers["pipes"] = layers["pipes"][layers["pipes"]["pipe_id"] != "P3"]
    with pytest.raises(RecordValidationError, match="P3"):
        store.add(obs(pipe_id="P3"))
    del layers["pipes"]
    assert not store.has_pipes() and store.pipe_info("P1") is None
    store.close()


def test_store_follows_a_real_save_of_the_project(store):
    from network.io.project import open_project, save_project

    store.add(obs())
    save_project(open_project(store.path))  # copy under the write lock, rename over the file
    store.add(obs(distance_m=5.0))
    with SurveyStore(store.path) as fresh:
        assert fresh.count("observation") == 2


def test_store_refuses_plain_geopackage_without_writing_into_it(tmp_path):
    import geopandas as gpd
    from shapely.geometry import LineString

    plain = tmp_path / "plain.gpkg"
    gpd.GeoDataFrame(
        {"pipe_id": ["P1"]}, geometry=[LineString([(0, 0), (1, 1)])], crs="EPSG:4547"
    ).to_file(plain, layer="pipes", engine="pyogrio")
    before = plain.read_bytes()
    with pytest.raises(StoreFileError, match="GeoPackage but not a PipeAtlas project"):
        SurveyStore(plain)
    assert plain.read_bytes() == before
