"""Benchmark: a coarse guard that ``score()`` has no per-row Python loop on its hot path.

Run as ``python tests/benchmarks/bench_hot_path.py [N]`` (default 20,000). Scores N mixed rows (numbers,
flags, site text) and exits with status 1 when that takes 5 seconds or more: at a few microseconds a row
the vectorised path needs well under a second, a loop over rows several seconds. Kept out of the unit
tests because a wall-clock bound fails on a busy machine without any fault in the code.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from calcinosis_classify import score

LIMIT_SECONDS = 5.0


def main(n: int) -> int:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({
        "age_years": rng.uniform(0.1, 90, n), "calcium": rng.normal(9.6, 1.2, n),
        "phosphate": rng.normal(4.0, 1.5, n), "dialysis": rng.choice(["yes", "no", ""], n),
        "lesion_site": rng.choice(["thumb", "scrotum", "thighs", "heel"], n),
    })
    score(frame.iloc[:10])  # imports and caches: not part of the figure
    start = time.perf_counter()
    out = score(frame)
    seconds = time.perf_counter() - start
    assert len(out) == n
    print(f"score() on {n:,} mixed rows: {seconds:.2f} s (limit {LIMIT_SECONDS:g} s)")
    return 0 if seconds < LIMIT_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000))
