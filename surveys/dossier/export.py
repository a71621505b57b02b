"""Export the dossier "按序夹装": a folder per group, files numbered by item, a contents list.

Layout of ``OUT/``::

    <园区名称>一园一档.docx          the dossier as a Word document (surveys.dossier.document)
    附件1-3 <园区名称>.xlsx          the park's row of the dispatch table
    附件1-1 <园区名称>.xlsx          the park list
    园区企业情况总表.xlsx
    一园一档/目录.xlsx               contents: one row per file (or per item without one)
    一园一档/一、园区审批及规划/01-1 <title>.pdf …
    一园一档/二、企业情况（一企一档资料）/一企一档/E01 <企业名称>/Q1-1 <title>.pdf …
    一园一档.zip                     the folder zipped (``zip_folder=True``)

Items PipeAtlas makes itself are produced into the folder at export: the enterprise list
(item 4), the problem ledger (items 11 and 16, when the project has one), the protected-area
report (item 3, when the project has zones) and any product the caller passes in
``producers`` (the flow-path map of item 12 comes from the caller: ``surveys`` draws no maps).
A missing attachment is listed in the contents and the result (``missing``); the export
completes.
"""

from __future__ import annotations

import logging
import re
import shutil
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from network.errors import NetworkError
from network.io.xlsx import fit_columns, set_cell
from surveys.dossier.build import Dossier, has_ledger
from surveys.dossier.codes import DossierError
from surveys.dossier.park import Attachment, ItemStatus
from surveys.dossier.tables import (
    write_annex11,
    write_annex13,
    write_enterprise_list,
)
from surveys.errors import SurveyError

log = logging.getLogger(__name__)

Producer = Callable[[Path], Path]
FOLDER = "一园一档"
CONTENTS = "目录.xlsx"
ENTERPRISE_FOLDER = "一企一档"
CONTENTS_COLUMNS = ("序号", "方面", "资料名称", "状态", "文件", "来源", "SHA-256", "说明")
PRODUCT_SUFFIX = {
    "flow_map": ".pdf",
    "overlap_report": ".pdf",
    "enterprise_list": ".xlsx",
    "ledger": ".xlsx",
}


@dataclass
class ExportedFile:
    """One file in the exported folder."""

    item: str
    ent_id: str
    path: Path
    source: str  # "attachment" or "produced"
    sha256: str = ""
    note: str = ""


@dataclass
class ExportResult:
    """What :func:`export_dossier` wrote and what it could not find."""

    folder: Path
    files: list[ExportedFile] = field(default_factory=list)
    missing: list[tuple[ItemStatus, Attachment]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    docx: Path | None = None
    annex13: Path | None = None
    annex11: Path | None = None
    enterprise_list: Path | None = None
    contents: Path | None = None
    zip: Path | None = None
    map_png: Path | None = None

    def produced(self, item: str) -> list[Path]:
        """Files PipeAtlas made for an item."""
        return [f.path for f in self.files if f.item == item and f.source == "produced"]


_BAD = re.compile(r'[\\/:*?"<>|\r\n\t]+')


def safe_name(text: str, limit: int = 60) -> str:
    """A file or folder name from ``text`` (no path separators or characters Windows refuses).

    >>> safe_name('雨污分流/纳管佐证: "A"')
    '雨污分流_纳管佐证_ _A_'
    """
    return _BAD.sub("_", str(text)).strip(" .")[:limit] or "_"


def default_producers(d: Dossier) -> dict[str, Producer]:
    """The products ``surveys`` can make itself: enterprise list, ledger, protected-area report."""
    from network import schema as S

    out: dict[str, Producer] = {
        "enterprise_list": lambda p: write_enterprise_list(d.enterprises, p, park_name=d.park_name)
    }
    if has_ledger(d.path):

        def ledger(p: Path) -> Path:
            from surveys.ledger import export_ledger_xlsx
            from surveys.store import SurveyStore

            with SurveyStore(d.path) as store:
                return export_ledger_xlsx(store, p, title=f"{d.park_name} 问题整改台账")

        out["ledger"] = ledger
    zones = d.project.layers.get(S.ZONES)
    if zones is not None and len(zones):

        def overlap(p: Path) -> Path:
            from network.progress import drain
            from surveys.zones.overlap import check_project
            from surveys.zones.report import write_pdf

            result = drain(check_project(d.project))
            return write_pdf(result, p, generated_at=d.today)

        out["overlap_report"] = overlap
    return out


def _produce(
    name: str, fn: Producer, target: Path, result: ExportResult, cache: dict[str, Path]
) -> Path | None:
    if name in cache:  # one product for several items (the ledger: 11 and 16)
        if cache[name] != target:
            shutil.copyfile(cache[name], target)
        return target
    try:
        out = Path(fn(target))
    except (SurveyError, NetworkError) as exc:
        result.warnings.append(f"{name}: {exc}")
        log.warning("dossier: could not produce %s: %s", name, exc)
        return None
    cache[name] = out
    return out


def _copy_attachment(
    st: ItemStatus, a: Attachment, check: str, dest: Path, result: ExportResult, project: Path
) -> None:
    if check == "missing":
        result.missing.append((st, a))
        return
    shutil.copyfile(a.resolved(project), dest)
    note = "文件在附加后已改动（SHA-256 不同）" if check == "changed" else ""
    if note:
        result.warnings.append(f"{st.item} {a.path}: changed since it was attached")
    result.files.append(ExportedFile(st.item, st.ent_id, dest, "attachment", a.sha256, note))


def export_dossier(
    d: Dossier,
    out: str | Path,
    *,
    producers: Mapping[str, Producer] | None = None,
    zip_folder: bool = False,
    word: bool = True,
) -> ExportResult:
    """Write the dossier folder, the tables, the contents list and the Word document.

    Parameters
    ----------
    d : the park's dossier (:func:`surveys.dossier.build.load_dossier`)
    out : the output folder (created; files of an earlier export are replaced)
    producers : extra products by name (``flow_map`` → a callable writing the map to the
        path it is given, PDF or PNG by suffix); they replace the defaults of the same name
    zip_folder : also write ``一园一档.zip``
    word : also write the Word document

    Raises
    ------
    DossierError
        The folder or a file cannot be written.
    """
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        root = out / FOLDER
        if root.exists():
            shutil.rmtree(root)
        root.mkdir()
    except OSError as exc:
        raise DossierError(f"Cannot write the folder {out}: {exc}", file=str(out)) from exc
    result = ExportResult(root)
    prods = {**default_producers(d), **dict(producers or {})}
    cache: dict[str, Path] = {}
    pack = d.pack
    for gi, group in enumerate(pack.groups, start=1):
        gdir = root / safe_name(f"{gi} {group.label}")
        gdir.mkdir()
        for st in (s for s in d.items if pack.item(s.item).group == group.code):
            it = pack.item(st.item)
            k = 0
            if it.produced and it.produced in prods:
                k += 1
                suffix = PRODUCT_SUFFIX.get(it.produced, ".pdf")
                target = gdir / f"{it.no:02d}-{k} {safe_name(it.produced_zh)}{suffix}"
                made = _produce(it.produced, prods[it.produced], target, result, cache)
                if made is not None:
                    result.files.append(ExportedFile(it.code, "", made, "produced"))
                else:
                    k -= 1
            for a, check in st.files:
                k += 1
                dest = gdir / f"{it.no:02d}-{k} {safe_name(a.title)}{Path(a.path).suffix}"
                _copy_attachment(st, a, check, dest, result, d.path)
        if group.code == "G2":
            _export_enterprises(d, gdir / ENTERPRISE_FOLDER, result)
    result.enterprise_list = cache.get("enterprise_list") or write_enterprise_list(
        d.enterprises, out / "园区企业情况总表.xlsx", park_name=d.park_name
    )
    if result.enterprise_list.parent != out:
        shutil.copyfile(result.enterprise_list, out / "园区企业情况总表.xlsx")
        result.enterprise_list = out / "园区企业情况总表.xlsx"
    name = safe_name(d.park_name)
    result.annex13 = write_annex13([d.values], out / f"附件1-3 {name}.xlsx")
    result.annex11 = write_annex11([d.values], out / f"附件1-1 {name}.xlsx")
    result.contents = write_contents(d, result, root / CONTENTS)
    if "flow_map" in prods:
        png = out / f".{name}_流向图.png"
        result.map_png = _produce("flow_map_png", prods["flow_map"], png, result, cache)
    if word:
        from surveys.dossier.document import write_docx

        result.docx = write_docx(d, out / f"{name}一园一档.docx", result)
    if result.map_png is not None:
        result.map_png.unlink(missing_ok=True)
        result.map_png = None
    if zip_folder:
        result.zip = zip_dir(root, out / f"{FOLDER}.zip")
    return result


def _export_enterprises(d: Dossier, edir: Path, result: ExportResult) -> None:
    names = {r.ent_id: r.name for r in d.enterprises}
    for eid in d.enterprise_ids():
        items = d.enterprise_items(eid)
        if not any(st.files for st in items):
            continue
        folder = edir / safe_name(f"{eid} {names.get(eid, '')}".strip())
        folder.mkdir(parents=True, exist_ok=True)
        for st in items:
            it = d.pack.item(st.item)
            for k, (a, check) in enumerate(st.files, start=1):
                dest = folder / f"{it.code}-{k} {safe_name(a.title)}{Path(a.path).suffix}"
                _copy_attachment(st, a, check, dest, result, d.path)


def write_contents(d: Dossier, result: ExportResult, path: Path) -> Path:
    """The contents list 目录.xlsx: one row per file, or per item that has none."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "目录"
    set_cell(ws.cell(row=1, column=1), f"{d.park_name}一园一档资料目录")
    ws.cell(row=1, column=1).font = Font(name="黑体", size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(CONTENTS_COLUMNS))
    for c, h in enumerate(CONTENTS_COLUMNS, start=1):
        set_cell(ws.cell(row=2, column=c), h)
        ws.cell(row=2, column=c).font = Font(name="黑体", bold=True)
    red = PatternFill("solid", fgColor="F8CBAD")
    rows: list[list[Any]] = []
    marks: list[bool] = []
    missing_by_item: dict[tuple[str, str], list[Attachment]] = {}
    for st, a in result.missing:
        missing_by_item.setdefault((st.item, st.ent_id), []).append(a)
    for st in d.items:
        it = d.pack.item(st.item)
        group = d.pack.group(it.group).label
        files = [f for f in result.files if f.item == it.code and not f.ent_id]
        if it.enterprise_item:
            files += [f for f in result.files if f.item == it.enterprise_item]
        note = "；".join(x for x in (st.detail, st.review.note if st.review else "") if x)
        for f in files:
            src = "PipeAtlas生成" if f.source == "produced" else "附件"
            rows.append(
                [
                    it.no,
                    group,
                    it.title_zh,
                    st.status_zh,
                    f.path.relative_to(result.folder).as_posix(),
                    src,
                    f.sha256,
                    "；".join(x for x in (note, f.note) if x),
                ]
            )
            marks.append(False)
        for a in missing_by_item.get((it.code, ""), []):
            rows.append(
                [
                    it.no,
                    group,
                    it.title_zh,
                    st.status_zh,
                    a.path,
                    "附件",
                    a.sha256,
                    f"文件缺失：{a.path}（附加于{a.added[:10]}，已找不到）",
                ]
            )
            marks.append(True)
        if not files and not missing_by_item.get((it.code, "")):
            rows.append([it.no, group, it.title_zh, st.status_zh, "（无）", "", "", note])
            marks.append(st.status == "missing")
    for st, a in result.missing:
        if st.ent_id:
            it = d.pack.item(st.item)
            rows.append(
                [
                    d.pack.item(it.park_item).no,
                    "一企一档",
                    f"{st.ent_id} {it.title_zh}",
                    st.status_zh,
                    a.path,
                    "附件",
                    a.sha256,
                    f"文件缺失：{a.path}",
                ]
            )
            marks.append(True)
    for r, (row, bad) in enumerate(zip(rows, marks, strict=True), start=3):
        for c, v in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c)
            set_cell(cell, v)
            cell.alignment = Alignment(vertical="top", wrap_text=c in (3, 8))
            if bad:
                cell.fill = red
    fit_columns(ws, [6, 26, 50, 6, 48, 14, 20, 40])
    ws.freeze_panes = "A3"
    try:
        wb.save(path)
    except OSError as exc:
        raise DossierError(f"Cannot write {path.name}: {exc}", file=str(path)) from exc
    return path


def zip_dir(folder: Path, target: Path) -> Path:
    """Zip a folder (paths inside start with the folder's name; UTF-8 names)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                zf.write(p, (Path(folder.name) / p.relative_to(folder)).as_posix())
    return target
