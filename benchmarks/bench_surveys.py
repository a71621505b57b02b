"""Survey benchmark: 100,000 observations on 20,000 pipes.

Times: inserting the observations (one transaction, validated), grading every segment
with the CJJ 181 engine (pure, then with the ``sv_grades`` cache written), one edit with
its per-pipe regrade, raising ledger problems from the grade III–IV defects, the ledger
Excel export, and the report Excel. Prints seconds and the machine.

Run: ``python benchmarks/bench_surveys.py [--pipes N] [--observations M]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # synthetic_surveys

from synthetic_surveys import make_pipes_gpkg, random_observations

from surveys import ledger, reports
from surveys.records import Observation
from surveys.store import SurveyStore


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pipes", type=int, default=20_000)
    ap.add_argument("--observations", type=int, default=100_000)
    args = ap.parse_args()
    print(f"machine: {machine()}")
    print(f"size: {args.observations:,} observations on {args.pipes:,} pipes")
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        path = make_pipes_gpkg(Path(tmp) / "bench.gpkg", args.pipes)
        store = SurveyStore(path, author="bench")
        print(f"project with pipes layer:           {time.perf_counter() - t:7.2f} s")
        pipes = store.pipes_frame()
        df = random_observations(pipes, args.observations, seed=1)
        recs = [
            Observation(
                pipe_id=r.pipe_id,
                code=r.code,
                grade=int(r.grade),
                distance_m=float(r.distance_m),
                length_m=None if r.length_m != r.length_m else float(r.length_m),
            )
            for r in df.itertuples()
        ]

        t = time.perf_counter()
        store.add_many(recs, regrade=False)
        print(f"insert (validated, 1 transaction):  {time.perf_counter() - t:7.2f} s")

        from surveys.gradecache import grade_frame

        t = time.perf_counter()
        obs = store.observations_for_grading()
        t_read = time.perf_counter() - t
        t = time.perf_counter()
        grades = grade_frame(obs, pipes, store.pack)
        t_engine = time.perf_counter() - t
        print(
            f"grading all segments (engine):      {t_engine:7.2f} s "
            f"(+ {t_read:.2f} s reading observations)"
        )
        t = time.perf_counter()
        store.regrade()
        print(f"grading all + writing sv_grades:    {time.perf_counter() - t:7.2f} s")
        print(f"  structural grades: {grades['structural_grade'].value_counts().to_dict()}")

        one = store.records("observation", pipe_id=pipes.index[0])[0]
        t = time.perf_counter()
        store.update(dataclasses.replace(one, grade=4 if one.grade != 4 else 1))
        print(f"one edit + regrade of its pipe:     {time.perf_counter() - t:7.3f} s")

        t = time.perf_counter()
        res = ledger.raise_problems(
            store, ledger.problems_from_defects(store.records("observation"), store.pack)
        )
        print(
            f"raise {len(res.added):,} problems (grade III–IV): {time.perf_counter() - t:7.2f} s"
        )
        t = time.perf_counter()
        out = ledger.export_ledger_xlsx(store, Path(tmp) / "ledger.xlsx")
        print(
            f"ledger export ({out.stat().st_size / 1e6:.1f} MB):            "
            f"{time.perf_counter() - t:7.2f} s"
        )
        t = time.perf_counter()
        plan = ledger.plan_ledger_import(store, out)
        print(
            f"ledger import plan (unchanged={plan.unchanged:,}):   "
            f"{time.perf_counter() - t:7.2f} s"
        )
        t = time.perf_counter()
        reports.write_report_xlsx(store, Path(tmp) / "report.xlsx")
        print(f"report Excel (both tables + chart): {time.perf_counter() - t:7.2f} s")
        store.close()


if __name__ == "__main__":
    main()
