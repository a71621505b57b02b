"""The zero-direct-discharge acceptance (污水零直排区): the 源·网·厂 survey and a scored checklist
(no Qt).

Modules
-------
facts
    The named facts the survey derives (纳管率, 未整改雨污混接点 …) that rules may use.
rules
    The small, safe expression language of automatic rules (parsed with ``ast``, whitelisted).
pack
    The checklist as a replaceable data pack (``resources/acceptance/``; PipeAtlas's default,
    not an official 评分细则).
store
    The project's tables: survey answers, evidence files, manual scores, and assessments kept
    per date (``pa_acceptance_*``), through the project file's owner (:mod:`network.io.gpkg`).
survey
    The survey filled from the project first (connection register, checks, ledger, grades,
    outfall register, dossier), the form's answers over it, and its facts.
score
    Scoring (total, subtotals, pass at the pack's mark), lost points as ledger problems.
assess
    One call: survey → score → keep → ledger.
export
    Excel (survey, scored checklist with problems and evidence) and the Word summary report.
"""
