"""Refresh the Chinese translation: lupdate → fill from zh_CN.json → lrelease.

    python tools/update_translations.py          # writes resources/translations/*.ts, *.qm
    python tools/update_translations.py --check  # exit 1 if a source string has no translation

Source strings are English inside ``self.tr()`` / ``QCoreApplication.translate`` in gisapp/;
their Chinese lives in ``resources/translations/zh_CN.json`` (source → translation) and in
one fragment per subject, ``resources/translations/zh_CN.d/<subject>.json`` (so work on two
subjects never edits one file), so the .ts file can be regenerated at any time without losing work.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TR_DIR = REPO / "resources" / "translations"
TS = TR_DIR / "pipeatlas_zh_CN.ts"
QM = TR_DIR / "pipeatlas_zh_CN.qm"
STRINGS = TR_DIR / "zh_CN.json"
FRAGMENTS = TR_DIR / "zh_CN.d"


def load_table() -> dict[str, str]:
    """Every source → Chinese pair: the main table, then the subject fragments in name order."""
    table: dict[str, str] = {}
    for path in [STRINGS, *sorted(FRAGMENTS.glob("*.json"))]:
        if path.exists():
            table.update(json.loads(path.read_text(encoding="utf-8")))
    return table


def _tool(name: str) -> str:
    exe = Path(sys.executable).parent / f"pyside6-{name}"
    return str(exe) if exe.exists() else f"pyside6-{name}"


def main() -> int:
    check = "--check" in sys.argv
    sources = sorted(str(p.relative_to(REPO)) for p in (REPO / "gisapp").rglob("*.py"))
    subprocess.run(
        [_tool("lupdate"), *sources, "-ts", str(TS), "-no-obsolete", "-silent"],
        cwd=REPO,
        check=True,
    )
    table = load_table()
    tree = ET.parse(TS)
    missing = []
    for msg in tree.iter("message"):
        src = msg.findtext("source") or ""
        tr = msg.find("translation")
        if tr is None:
            tr = ET.SubElement(msg, "translation")
        if table.get(src):
            if msg.get("numerus") == "yes":  # %n plurals: Chinese has one form
                forms = tr.findall("numerusform") or [ET.SubElement(tr, "numerusform")]
                for form in forms:
                    form.text = table[src]
                tr.text = None
            else:
                tr.text = table[src]
            tr.attrib.pop("type", None)
        else:
            missing.append(src)
            tr.set("type", "unfinished")
    tree.write(TS, encoding="utf-8", xml_declaration=True)
    subprocess.run([_tool("lrelease"), str(TS), "-qm", str(QM), "-silent"], check=True)
    if missing:
        sys.stderr.write(
            f"{len(missing)} untranslated:\n" + "\n".join(sorted(set(missing))) + "\n"
        )
    return 1 if (check and missing) else 0


if __name__ == "__main__":
    sys.exit(main())
