"""Benchmark of the learned layer: training time on 50,000 synthetic cases and held-out accuracy.

Run as ``python tests/benchmarks/bench_model.py [N_TRAIN [N_TEST]]``. Trains the hybrid on a synthetic
cohort (seed 1, no atypical cases), then evaluates rules only, model only and the hybrid (with the model
consulted up to low and up to moderate rules confidence) on a held-out cohort from another seed (2) with
15% atypical presentations. Also times save/load of the model file. Synthetic data: the numbers measure
agreement with the generator, not clinical validity.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from threadpoolctl import threadpool_limits

from calcinosis_classify.evaluation import evaluate
from calcinosis_classify.model import train
from calcinosis_classify.persistence import load_model, save_model
from calcinosis_classify.synthetic import generate_cohort


def main(n_train: int, n_test: int) -> None:
    cohort = generate_cohort(n_train, seed=1)
    held_out = generate_cohort(n_test, seed=2, atypical_rate=0.15)

    start = time.perf_counter()
    model = train(cohort)
    seconds = time.perf_counter() - start
    booster = model.model_.named_steps["classifier"].estimator_
    print(f"train on {n_train} cases: {seconds:.1f} s (default threads; {booster.n_iter_} boosting rounds)")
    with threadpool_limits(limits=1, user_api="openmp"):
        start = time.perf_counter()
        train(cohort)
        print(f"train on {n_train} cases: {time.perf_counter() - start:.1f} s (one OpenMP thread)")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.ccm"
        start = time.perf_counter()
        save_model(model, path)
        saved = time.perf_counter() - start
        start = time.perf_counter()
        load_model(path)
        print(f"save {saved:.2f} s, verified load {time.perf_counter() - start:.2f} s, "
              f"{path.stat().st_size / 1e6:.1f} MB")

    print(f"\nheld out: {n_test} cases, seed 2, atypical_rate 0.15 (synthetic: not clinical validation)")
    print(f"{'':<22}{'accuracy':>10}{'macro-F1':>10}{'cp sens.':>10}{'top-2':>8}{'Brier':>8}")
    for consult in ("low", "moderate"):
        model.set_params(consult=consult)
        start = time.perf_counter()
        report = evaluate(held_out, model=model)
        elapsed = time.perf_counter() - start
        rows = [("rules", "rules"), ("model", "model"), (f"hybrid (consult={consult})", "hybrid")]
        for label, key in rows:
            if consult == "moderate" and key != "hybrid":
                continue
            m = report.systems[key]
            brier = f"{m['brier']:>8.4f}" if m["brier"] is not None else f"{'-':>8}"
            print(f"{label:<22}{m['accuracy']:>10.4f}{m['macro_f1']:>10.4f}"
                  f"{m['calciphylaxis_sensitivity']:>10.4f}{m['top2_accuracy']:>8.4f}{brier}")
        print(f"{'':<22}(evaluation {elapsed:.1f} s; model decided {report.agreement['decided_by_model']:.1%})")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(args[0] if args else 50_000, args[1] if len(args) > 1 else 20_000)
