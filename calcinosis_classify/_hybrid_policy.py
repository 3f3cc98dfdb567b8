"""Defaults of the learned layer that the command line needs without importing scikit-learn.

The values were chosen on the published-case validation set (README, "Validation on published cases"):
``TRAINING_SPARSE_RATE`` is the share of sparse, case-report-like rows in the default synthetic training
cohort, ``DEFAULT_CONSULT`` the highest rules confidence at which the hybrid lets the model decide.
"""

from __future__ import annotations

# The highest rules confidence at which the model decides ("indeterminate": only where the rules name no
# subtype).
CONSULT_LEVELS: tuple[str, ...] = ("indeterminate", "low", "moderate")
DEFAULT_CONSULT = "indeterminate"
TRAINING_SPARSE_RATE = 0.3
