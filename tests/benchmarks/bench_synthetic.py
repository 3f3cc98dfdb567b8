"""Time ``generate_cohort`` against building a same-sized frame of random floats.

Run as ``python tests/benchmarks/bench_synthetic.py [-n N] [--repeat R]``.
The baseline (one numpy random column per output column, assembled into a
DataFrame) is the floor for any generator that returns a frame of that
shape, so the ratio shows what the clinical profiles cost on top of it.
The target is 1,000,000 cases in under 10 seconds.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from calcinosis_classify.synthetic import GENERATOR_VERSION, generate_cohort

MESSY = dict(missing_rate=0.2, qualitative_rate=0.1, si_fraction=0.3, atypical_rate=0.1, label_noise=0.05)


def best_of(repeat: int, fn: Callable[[], pd.DataFrame]) -> tuple[float, pd.DataFrame]:
    """Fastest wall time of ``repeat`` calls, and the last frame."""
    best = float("inf")
    frame = pd.DataFrame()
    for _ in range(repeat):
        start = time.perf_counter()
        frame = fn()
        best = min(best, time.perf_counter() - start)
    return best, frame


def random_frame(n: int, columns: list[str], seed: int) -> pd.DataFrame:
    """A DataFrame of uniform random floats with the given shape."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({name: rng.random(n) for name in columns}, copy=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1_000_000, help="cases per cohort (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per measurement; the best is kept")
    args = parser.parse_args()

    print(f"generator {GENERATOR_VERSION}, n = {args.n:,}, best of {args.repeat}")
    for label, knobs in (("default knobs", {}), ("all knobs on", MESSY)):
        seconds, cohort = best_of(args.repeat, lambda knobs=knobs: generate_cohort(args.n, seed=1, **knobs))
        columns = list(cohort.columns)
        baseline, _ = best_of(args.repeat, lambda columns=columns: random_frame(args.n, columns, seed=1))
        verdict = "ok" if seconds < 10 * args.n / 1_000_000 else "SLOWER THAN TARGET"
        print(f"{label:>14}: generate_cohort {seconds:6.2f} s ({cohort.shape[0]:,} x {cohort.shape[1]}), "
              f"random-float frame {baseline:5.2f} s, ratio {seconds / baseline:5.1f}x  [{verdict}]")


if __name__ == "__main__":
    main()
