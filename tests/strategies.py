"""Hypothesis strategies shared by the test modules."""

from __future__ import annotations

import pandas as pd
from hypothesis import strategies as st

# One case as a mapping of raw cells, every field optional (a blank cell is unknown).
cases = st.fixed_dictionaries({}, optional={
    "age_years": st.floats(0.01, 95),
    "sex": st.sampled_from(["F", "M", ""]),
    "calcium": st.floats(6.0, 16.0),
    "phosphate": st.floats(1.0, 12.0),
    "albumin": st.floats(1.5, 5.0),
    "pth": st.floats(2.0, 2500.0),
    "egfr": st.floats(3.0, 130.0),
    "dialysis": st.sampled_from(["yes", "no", ""]),
    "autoimmune_disease": st.sampled_from(["yes", "no", ""]),
    "iv_calcium": st.sampled_from(["yes", "no", ""]),
    "warfarin": st.sampled_from(["yes", "no", ""]),
    "painful": st.sampled_from(["yes", "no", ""]),
    "necrosis": st.sampled_from(["yes", "no", ""]),
    "lesion_site": st.sampled_from(["thumb", "scrotum", "thighs", "heel", "shoulder", "ear", ""]),
})


def case_frame(cases: list[dict]) -> pd.DataFrame:
    cols = sorted({k for c in cases for k in c})
    return pd.DataFrame([{k: c.get(k, "") for k in cols} for c in cases], dtype=object)


