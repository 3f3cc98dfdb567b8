"""Wall-clock guards (not part of the default run: ``pytest tests/benchmarks/test_wallclock.py``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from calcinosis_classify import score


def test_million_rows_do_not_loop_in_python() -> None:
    """A coarse guard on the hot path: 20,000 mixed rows score in well under two seconds."""
    import time

    rng = np.random.default_rng(0)
    n = 20_000
    frame = pd.DataFrame({
        "age_years": rng.uniform(0.1, 90, n), "calcium": rng.normal(9.6, 1.2, n),
        "phosphate": rng.normal(4.0, 1.5, n), "dialysis": rng.choice(["yes", "no", ""], n),
        "lesion_site": rng.choice(["thumb", "scrotum", "thighs", "heel"], n),
    })
    start = time.perf_counter()
    out = score(frame)
    assert len(out) == n
    assert time.perf_counter() - start < 5.0
