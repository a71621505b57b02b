"""One park's dossier in memory: project, record, figures, checklist and enterprise list.

:func:`load_dossier` opens a project, builds its checked network (or takes the one the caller
has), reads the ledger and the park record, and lays the record over the computed figures.
Nothing is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from network import schema as S
from network.io import gpkg
from surveys.dossier.figures import ParkValue, compute_figures, park_values
from surveys.dossier.pack import DossierPack, load_pack
from surveys.dossier.park import (
    ItemStatus,
    ParkRecord,
    checklist,
    enterprise_checklist,
    read_park,
)
from surveys.dossier.tables import EnterpriseRow, enterprise_rows

PROBLEMS_TABLE = "sv_problems"


@dataclass
class Dossier:
    """Everything the dossier documents of one park are made from."""

    project: Any
    record: ParkRecord
    values: dict[str, ParkValue]
    computed: dict[str, Any]
    stats: dict[str, Any]
    register: Any
    problems: list[Any]
    pack: DossierPack
    today: dt.date
    checked: Any = None
    items: list[ItemStatus] = field(default_factory=list)
    enterprises: list[EnterpriseRow] = field(default_factory=list)

    @property
    def path(self) -> Path:
        """The project file."""
        return Path(self.project.path)

    @property
    def park_name(self) -> str:
        """园区名称 (the file's stem when the record and the boundary give none)."""
        return self.values["park_name"].text or self.path.stem

    def enterprise_ids(self) -> list[str]:
        """Ids of the park's enterprises, in layer order."""
        ents = self.project.layers.get(S.ENTERPRISES)
        if ents is None or S.ENT_ID not in ents:
            return []
        return [str(v) for v in ents[S.ENT_ID] if v is not None]

    def enterprise_items(self, ent_id: str) -> list[ItemStatus]:
        """The five 一企一档 items of one enterprise."""
        return enterprise_checklist(self.record, self.path, ent_id, pack=self.pack)

    def completeness(self) -> tuple[int, int]:
        """(items 齐全, items) of the 20 park items."""
        return sum(i.status == "complete" for i in self.items), len(self.items)


def has_ledger(path: str | Path) -> bool:
    """Whether the project holds a problem ledger (read only; nothing is created)."""
    con = gpkg.connect(path)
    try:
        return PROBLEMS_TABLE in gpkg.table_names(con)
    finally:
        con.close()


def read_problems(path: str | Path) -> list[Any]:
    """The live problems of the ledger (empty when the project has none yet)."""
    if not has_ledger(path):
        return []
    from surveys.store import SurveyStore

    with SurveyStore(path) as store:
        return list(store.records("problem"))


def load_dossier(
    path: str | Path,
    *,
    project: Any = None,
    checked: Any = None,
    pack: DossierPack | None = None,
    today: dt.date | None = None,
) -> Dossier:
    """Open a park's dossier (read only).

    Parameters
    ----------
    path : the project GeoPackage
    project : the open project (opened here when not given)
    checked : the project's :class:`network.state.CheckedNetwork` (built here when not given)
    pack : the checklist (default: the shipped 附件1-2 pack)
    today : for overdue counts (default today)

    Raises
    ------
    NetworkError
        The project cannot be read or has no pipes.
    SurveyError
        The ledger cannot be read.
    """
    from network.analysis import network_statistics
    from network.io.project import open_project
    from network.state import build_checked_network

    project = project or open_project(path)
    if checked is None:
        checked = build_checked_network(project.layers, project.settings, project.crs)
    pack = pack or load_pack()
    today = today or dt.date.today()
    stats = network_statistics(checked.network)
    problems = read_problems(project.path)
    record = read_park(project.path)
    computed = compute_figures(
        project, stats=stats, register=checked.register, problems=problems, today=today
    )
    if not problems and has_ledger(project.path):
        computed.setdefault("problems", "问题台账暂无记录")
    d = Dossier(
        project,
        record,
        park_values(record, computed),
        computed,
        stats,
        checked.register,
        problems,
        pack,
        today,
        checked,
    )
    d.items = checklist(record, project.path, pack=pack, enterprise_ids=d.enterprise_ids())
    d.enterprises = enterprise_rows(
        project.layers.get(S.ENTERPRISES), checked.register, record, project.layers.get(S.PLANTS)
    )
    return d
