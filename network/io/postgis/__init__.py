"""PostGIS as the shared project store of a park's team (no Qt; psycopg 3).

* :mod:`~network.io.postgis.dsn` — project addresses ``postgresql://…?schema=park``
* :mod:`~network.io.postgis.transfer` — :func:`push` a GeoPackage into a schema, :func:`pull`
* :mod:`~network.io.postgis.ddl` — row versions, audit, NOTIFY, roles (enforced by the database)
* :mod:`~network.io.postgis.records` — optimistic-concurrency writes (a lost race is refused)
* :mod:`~network.io.postgis.offline` — checkout/checkin of offline packages, conflicts
* :mod:`~network.io.postgis.locate` — one resolver of a project argument (file or address)
* :mod:`~network.io.postgis.cluster` — a private local cluster (tests, benchmarks)
"""
