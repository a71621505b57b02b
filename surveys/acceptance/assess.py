"""One call from a project file to a scored, kept assessment (what the CLI and the dock run).

:func:`assess` fills the survey, scores the checklist and — when asked — keeps the assessment
under its date and raises the lost points in the ledger.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from surveys.acceptance.pack import AcceptancePack, load_pack
from surveys.acceptance.score import Assessment, LedgerResult, raise_lost_points, score_checklist
from surveys.acceptance.store import AcceptanceStore, parse_date, read_acceptance
from surveys.acceptance.survey import Survey, load_survey


@dataclass(frozen=True)
class AssessResult:
    """The survey, its assessment and what was written."""

    survey: Survey
    assessment: Assessment
    saved: bool = False
    ledger: LedgerResult | None = None


def assess(
    path: str | Path,
    *,
    pack: AcceptancePack | str | Path | None = None,
    date: Any = None,
    save: bool = False,
    raise_problems: bool = False,
    project: Any = None,
    checked: Any = None,
    survey: Survey | None = None,
) -> AssessResult:
    """Fill the survey of a project and score it against a checklist pack.

    Parameters
    ----------
    path : the project GeoPackage
    pack : a pack, or the path of a pack file (default: the shipped default pack)
    date : the assessment date (default today)
    save : keep the assessment under its date (replacing one of the same date and pack)
    raise_problems : raise a ledger problem per item that lost points (and close the ones
        whose automatic item now scores full)
    project, checked : the open project and its checked network (the window has them)
    survey : an already filled survey (then ``project``/``checked`` are not needed)

    Raises
    ------
    AcceptanceError
        A bad pack or date.
    NetworkError, SurveyError
        The project cannot be read or written.
    """
    p = Path(path)
    if not isinstance(pack, AcceptancePack):
        pack = load_pack(pack)
    day = parse_date(date, today=dt.date.today())
    survey = survey or load_survey(p, project=project, checked=checked)
    data = read_acceptance(p)
    assessment = score_checklist(survey.facts, pack, data, date=day)
    ledger = None
    if raise_problems:
        from surveys.store import SurveyStore

        with SurveyStore(p) as store:
            ledger = raise_lost_points(store, assessment)
    if save:
        with AcceptanceStore(p) as st:
            st.save_assessment(assessment)
    return AssessResult(survey, assessment, save, ledger)
