"""Rules, model and hybrid on the published-case set and on held-out synthetic cohorts.

Run as ``python tests/benchmarks/bench_published.py [N_TRAIN]`` (default 30,000). Trains the default hybrid
(``train --synthetic``'s cohort: seed 1, 15% atypical, the default share of sparse rows), then reports, for
each hybrid policy (``consult``), top-1 / top-2 accuracy, calciphylaxis flagged, false calciphylaxis calls and
the indeterminate rate on ``fixtures/published_cases.csv``, and top-1 on a held-out synthetic cohort (seed 2,
15% atypical) and a held-out sparse one (seed 3, all rows sparse). The published numbers in the README come
from this script. Choosing the policy on the published set and reporting it there is optimistic: the
library is also judged on published cases not in this repository.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd

from calcinosis_classify._hybrid_policy import CONSULT_LEVELS, TRAINING_SPARSE_RATE
from calcinosis_classify.evaluation import evaluate
from calcinosis_classify.model import train
from calcinosis_classify.synthetic import generate_cohort

ROOT = Path(__file__).resolve().parents[2]
KEYS = (("top-1", "accuracy"), ("top-2", "top2_accuracy"), ("cp flagged", "calciphylaxis_flagged"),
        ("false cp", "false_calciphylaxis_rate"), ("indeterminate", "indeterminate_rate"))


def main(n_train: int) -> None:
    published = pd.read_csv(ROOT / "fixtures" / "published_cases.csv", dtype=str, keep_default_na=False)
    held = generate_cohort(20_000, seed=2, atypical_rate=0.15, missing_rate=0.1, si_fraction=0.2)
    sparse = generate_cohort(10_000, seed=3, atypical_rate=0.15, missing_rate=0.1, sparse_rate=1.0)
    cohort = generate_cohort(n_train, seed=1, atypical_rate=0.15, missing_rate=0.1, sparse_rate=TRAINING_SPARSE_RATE)
    start = time.perf_counter()
    hybrid = train(cohort, threads=1)
    print(f"trained on {n_train} synthetic cases (sparse share {TRAINING_SPARSE_RATE}) in "
          f"{time.perf_counter() - start:.0f} s")
    print(f"{'':<34}" + "".join(f"{label:>14}" for label, _ in KEYS) + f"{'synthetic':>11}{'sparse':>9}")
    for consult in CONSULT_LEVELS:
        hybrid.set_params(consult=consult)
        pub = evaluate(published, model=hybrid).systems
        syn = evaluate(held, model=hybrid).systems
        spa = evaluate(sparse, model=hybrid).systems
        for system in ("rules", "model", "hybrid"):
            if system != "hybrid" and consult != CONSULT_LEVELS[0]:
                continue
            label = system if system != "hybrid" else f"hybrid (consult={consult})"
            cells = "".join(f"{pub[system][key]:>14.3f}" if pub[system][key] is not None else f"{'-':>14}"
                            for _, key in KEYS)
            print(f"{label:<34}{cells}{syn[system]['accuracy']:>11.3f}{spa[system]['accuracy']:>9.3f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30_000)
