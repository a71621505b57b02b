"""The team tables of a PostGIS project: row versions, audit, conflicts, comments and roles.

Every data table of a pushed project carries four team columns (:data:`TEAM_COLUMNS`):
``pa_uuid`` (the record's identity across copies), ``pa_version`` (1 on insert, +1 on every
update), ``pa_changed_by`` and ``pa_changed_at`` (``current_user`` and time of the last write).
Two triggers enforce them in the database, whoever writes (PipeAtlas, QGIS, psql):

* ``pa_row_version`` (BEFORE): an UPDATE that *sets* ``pa_version`` to anything but the stored
  version lost a race and is refused (SQLSTATE ``PA409``) with a message naming the record,
  who changed it and when; otherwise the version is bumped and who/when recorded.
* ``pa_row_audit`` (AFTER, ``SECURITY DEFINER``): every insert, update and delete is logged in
  ``pa_audit`` (who = ``current_user``, when, what: the changed columns old → new) and
  announced with ``NOTIFY pipeatlas`` so open windows refresh.

Roles live in the database (:func:`grant_roles`): ``field_engineer`` writes network layers and
survey records, ``park_staff`` the ledger, dossier and outfall decisions, ``auditor`` reads
everything and writes comments only (row-level security: one's own comments).
"""

from __future__ import annotations

from collections.abc import Iterable

TEAM_COLUMNS = ("pa_uuid", "pa_version", "pa_changed_by", "pa_changed_at")
STALE_SQLSTATE = "PA409"
NOTIFY_CHANNEL = "pipeatlas"
ROLES = ("field_engineer", "park_staff", "auditor")

#: Tables written by park staff (ledger, dossier, outfall decisions, project settings).
STAFF_TABLES = frozenset(
    {"sv_problems", "pa_park", "pa_dossier_items", "pa_dossier_files", "pa_outfall_decisions"}
)
#: Team bookkeeping tables (not project data; never pulled into a plain GeoPackage).
TEAM_TABLES = (
    "pa_team_tables",
    "pa_team_gpkg",
    "pa_audit",
    "pa_conflicts",
    "pa_checkin_rows",
    "pa_comments",
)


def q(name: str) -> str:
    """A quoted SQL identifier.

    >>> q('管径'), q('a"b')
    ('"管径"', '"a""b"')
    """
    return '"' + name.replace('"', '""') + '"'


def writer_role(table: str) -> str:
    """The role that writes *table*: park staff for the ledger/dossier, else field engineers.

    >>> writer_role("sv_problems"), writer_role("pipes"), writer_role("sv_observations")
    ('park_staff', 'field_engineer', 'field_engineer')
    """
    return "park_staff" if table in STAFF_TABLES else "field_engineer"


def team_tables_sql(schema: str) -> str:
    s = q(schema)
    return f"""
CREATE TABLE {s}.pa_team_tables (
    position integer PRIMARY KEY, table_name text NOT NULL UNIQUE, kind text NOT NULL,
    pk text, geom_column text, geom_type text, srid integer, gpkg_srs_id integer,
    columns jsonb NOT NULL, sqlite_sql text NOT NULL, extra_sql jsonb NOT NULL DEFAULT '[]');
CREATE TABLE {s}.pa_team_gpkg (key text PRIMARY KEY, value jsonb);
CREATE TABLE {s}.pa_audit (
    id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp(),
    who text NOT NULL DEFAULT current_user, action text NOT NULL, table_name text NOT NULL,
    pa_uuid uuid, fid bigint, version integer, what jsonb);
CREATE INDEX ON {s}.pa_audit (table_name, pa_uuid);
CREATE TABLE {s}.pa_conflicts (
    id bigserial PRIMARY KEY, package_id uuid, table_name text NOT NULL, pa_uuid uuid NOT NULL,
    kind text NOT NULL, base_version integer, db_version integer, db_changed_by text,
    db_changed_at timestamptz, package_row jsonb, package_hash text NOT NULL,
    found_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    found_by text NOT NULL DEFAULT current_user,
    resolution text, resolved_by text, resolved_at timestamptz,
    UNIQUE (package_id, table_name, pa_uuid, package_hash));
CREATE TABLE {s}.pa_checkin_rows (
    package_id uuid NOT NULL, table_name text NOT NULL, local_fid bigint NOT NULL,
    pa_uuid uuid NOT NULL, applied_hash text NOT NULL, applied_version integer,
    PRIMARY KEY (package_id, table_name, local_fid));
CREATE TABLE {s}.pa_comments (
    id bigserial PRIMARY KEY, author text NOT NULL DEFAULT current_user,
    at timestamptz NOT NULL DEFAULT clock_timestamp(), table_name text, pa_uuid uuid,
    body text NOT NULL);
"""


def functions_sql(schema: str) -> str:
    s = q(schema)
    return f"""
CREATE FUNCTION {s}.pa_row_version() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF NEW.pa_version IS DISTINCT FROM OLD.pa_version THEN
      RAISE EXCEPTION USING ERRCODE = '{STALE_SQLSTATE}',
        MESSAGE = format('%s record %s was changed by %s at %s (now version %s; this write '
          'was based on version %s). Nothing was overwritten: reload the record and apply '
          'the change again.', TG_TABLE_NAME, OLD.pa_uuid, OLD.pa_changed_by,
          to_char(OLD.pa_changed_at, 'YYYY-MM-DD HH24:MI:SS'), OLD.pa_version,
          NEW.pa_version),
        DETAIL = json_build_object('table', TG_TABLE_NAME, 'uuid', OLD.pa_uuid,
          'db_version', OLD.pa_version, 'base_version', NEW.pa_version,
          'changed_by', OLD.pa_changed_by, 'changed_at', OLD.pa_changed_at)::text;
    END IF;
    NEW.pa_uuid := OLD.pa_uuid;
    NEW.pa_version := OLD.pa_version + 1;
  ELSE
    NEW.pa_uuid := coalesce(NEW.pa_uuid, gen_random_uuid());
    NEW.pa_version := 1;
  END IF;
  NEW.pa_changed_by := current_user;
  NEW.pa_changed_at := clock_timestamp();
  RETURN NEW;
END $f$;

CREATE FUNCTION {s}.pa_row_audit() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $f$
DECLARE
  o jsonb; n jsonb; what jsonb; k text; r record;
BEGIN
  IF TG_OP = 'INSERT' THEN
    r := NEW; what := '{{}}'::jsonb;
  ELSIF TG_OP = 'DELETE' THEN
    r := OLD; what := '{{}}'::jsonb;
  ELSE
    r := NEW; o := to_jsonb(OLD); n := to_jsonb(NEW); what := '{{}}'::jsonb;
    FOR k IN SELECT jsonb_object_keys(n) LOOP
      IF k NOT IN ('pa_version', 'pa_changed_by', 'pa_changed_at')
         AND (o -> k) IS DISTINCT FROM (n -> k) THEN
        what := what || jsonb_build_object(k, jsonb_build_array(o -> k, n -> k));
      END IF;
    END LOOP;
  END IF;
  -- who: the writer's current_user, recorded in the row by pa_row_version (this function
  -- runs as its owner); for a delete, the login (session) user
  INSERT INTO {s}.pa_audit (who, action, table_name, pa_uuid, fid, version, what)
  VALUES (CASE WHEN TG_OP = 'DELETE' THEN session_user::text ELSE r.pa_changed_by END,
          TG_OP, TG_TABLE_NAME, r.pa_uuid, (to_jsonb(r) ->> TG_ARGV[0])::bigint,
          CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE r.pa_version END, what);
  PERFORM pg_notify('{NOTIFY_CHANNEL}', json_build_object('schema', TG_TABLE_SCHEMA,
    'table', TG_TABLE_NAME, 'op', TG_OP, 'uuid', r.pa_uuid,
    'who', CASE WHEN TG_OP = 'DELETE' THEN session_user::text ELSE r.pa_changed_by END)::text);
  RETURN NULL;
END $f$;
"""


def table_triggers_sql(schema: str, table: str, pk: str) -> str:
    t = f"{q(schema)}.{q(table)}"
    pk_arg = "'" + pk.replace("'", "''") + "'"
    return f"""
CREATE TRIGGER pa_row_version BEFORE INSERT OR UPDATE ON {t}
  FOR EACH ROW EXECUTE FUNCTION {q(schema)}.pa_row_version();
CREATE TRIGGER pa_row_audit AFTER INSERT OR UPDATE OR DELETE ON {t}
  FOR EACH ROW EXECUTE FUNCTION {q(schema)}.pa_row_audit({pk_arg});
"""


def roles_sql() -> str:
    """Create the three group roles once per cluster (NOLOGIN; people are members)."""
    parts = [
        f"IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{r}') THEN "
        f"CREATE ROLE {r} NOLOGIN; END IF;"
        for r in ROLES
    ]
    return "DO $r$ BEGIN " + " ".join(parts) + " END $r$;"


def grant_roles(schema: str, tables: Iterable[str]) -> str:
    """GRANTs and row-level rules of one project schema."""
    s = q(schema)
    all_roles = ", ".join(ROLES)
    out = [
        f"GRANT USAGE ON SCHEMA {s} TO {all_roles};",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {s} TO {all_roles};",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {s} TO field_engineer, park_staff, auditor;",
    ]
    for t in tables:
        out.append(f"GRANT INSERT, UPDATE, DELETE ON {s}.{q(t)} TO {writer_role(t)};")
    for t in ("pa_conflicts", "pa_checkin_rows"):
        out.append(f"GRANT INSERT, UPDATE ON {s}.{t} TO field_engineer, park_staff;")
    out += [
        f"GRANT INSERT, UPDATE, DELETE ON {s}.pa_comments TO {all_roles};",
        f"ALTER TABLE {s}.pa_comments ENABLE ROW LEVEL SECURITY;",
        f"CREATE POLICY comments_read ON {s}.pa_comments FOR SELECT USING (true);",
        f"CREATE POLICY comments_add ON {s}.pa_comments FOR INSERT "
        "WITH CHECK (author = current_user);",
        f"CREATE POLICY comments_own ON {s}.pa_comments FOR UPDATE "
        "USING (author = current_user) WITH CHECK (author = current_user);",
        f"CREATE POLICY comments_del ON {s}.pa_comments FOR DELETE USING (author = current_user);",
    ]
    return "\n".join(out)
