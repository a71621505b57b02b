"""The park dossier: 一园一档, 一企一档 and the dispatch tables 附件1-1 / 1-2 / 1-3 (no Qt).

Modules
-------
codes
    Validation of what the park record holds: development-zone codes (G/S + six digits, ※),
    unified social credit codes (GB 32100-2015 check character), dates.
pack
    The 附件1-2 checklist as data (``resources/dossier/yiyuan_yidang.json``): 20 items in 6
    groups, the five 一企一档 items, which items PipeAtlas produces itself.
park
    The park record in the project's ``pa_park`` table (fields and figure overrides), the
    checklist state and attachments (``pa_dossier_items``, ``pa_dossier_files``).
figures
    Figures from the map and the ledger (area, position, enterprises, wastewater, network
    lengths, connections, plants, problems), each overridable.
tables
    Excel: 附件1-3 (grouped header, one row per park), 附件1-1, the enterprise list.
export
    The dossier "按序夹装": a folder (and zip) per group with numbered files and 目录.xlsx.
document
    The dossier as a Word document (python-docx).
"""
