"""Benchmark: intake + findings and score() on 1,000,000 rows vs pyarrow CSV read/write; classify() latency.

Run as ``python tests/benchmarks/bench_engine.py [N]``. Baselines are measured in the same process on the
same data: ``pandas.read_csv`` (for intake + findings) and a pyarrow CSV read + write (for score()).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.csv as pacsv

from calcinosis_classify import classify, engine, score
from calcinosis_classify.findings import compute_findings
from calcinosis_classify.intake import read_cases
from calcinosis_classify.knowledge.thresholds import DEFAULT_THRESHOLDS
from calcinosis_classify.synthetic import generate_cohort


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def main(n: int) -> None:
    cohort = generate_cohort(n, seed=7, missing_rate=0.2, qualitative_rate=0.05, si_fraction=0.3)
    inputs = cohort.drop(columns=["true_subtype", "presentation", "generator_version", "seed", "is_atypical"])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cases.csv"
        inputs.to_csv(path, index=False)
        import pandas as pd

        t_pandas_read, frame = timed(lambda: pd.read_csv(path))
        t_intake, intake = timed(lambda: read_cases(frame))
        t_findings, _ = timed(lambda: compute_findings(intake.values, DEFAULT_THRESHOLDS))
        print(f"rows: {n:,} ({path.stat().st_size / 1e6:.0f} MB CSV, {frame.shape[1]} columns, 30% SI rows)")
        print(f"pandas.read_csv:        {t_pandas_read:6.2f} s")
        print(f"intake:                 {t_intake:6.2f} s   findings: {t_findings:5.2f} s   "
              f"ratio (intake+findings)/read_csv = {(t_intake + t_findings) / t_pandas_read:.2f}")

        def arrow_rw() -> None:
            table = pacsv.read_csv(path)
            pacsv.write_csv(table, Path(tmp) / "copy.csv")

        t_arrow, _ = timed(arrow_rw)
        t_engine_only, _ = timed(lambda: engine.evaluate(intake.values, intake.n, DEFAULT_THRESHOLDS))
        t_score, _ = timed(lambda: score(frame))
        print(f"pyarrow read+write CSV: {t_arrow:6.2f} s")
        print(f"score() in memory:      {t_score:6.2f} s   ratio score/pyarrow = {t_score / t_arrow:.2f}   "
              f"(engine incl. missing analysis: {t_engine_only:.2f} s)")

    cases = inputs.head(200).to_dict("records")
    classify(cases[0])
    engine_times = []
    core_times = []
    total_times = []
    for case in cases:
        intake1 = read_cases(case)
        start = time.perf_counter()
        engine.evaluate(intake1.values, 1, DEFAULT_THRESHOLDS, with_missing=False)
        core_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        engine.evaluate(intake1.values, 1, DEFAULT_THRESHOLDS)
        engine_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        classify(case)
        total_times.append(time.perf_counter() - start)
    print(f"classify(): median engine time {statistics.median(core_times) * 1e3:.2f} ms without and "
          f"{statistics.median(engine_times) * 1e3:.2f} ms "
          f"(with missing-data analysis), median end-to-end {statistics.median(total_times) * 1e3:.2f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
