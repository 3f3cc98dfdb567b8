"""Age-specific reference intervals (data only).

Each table is a tuple of ``(age_from_years, low, high)`` rows, sorted by age;
a row applies from its age up to the next row's. Unknown age uses the adult
row (the last). Sources: clinical-spec §3.1–§3.2. The spec asks for one table
used consistently (Davis [81][82][83]) with adult defaults from §3.1; where
Davis has a gap (phosphate between 6 days and 1 year) the DiaSys infant
interval [85] fills it.
"""

from __future__ import annotations

from calcinosis_classify.schema import ADULT_CALCIUM_TOTAL

__all__ = ["ADULT_CALCIUM_TOTAL", "CALCIUM_IONIZED", "CALCIUM_TOTAL", "PHOSPHATE", "PTH", "RANGE_REFS"]

_DAY = 1 / 365.25


# Total calcium, mg/dL: Davis [81]; adult default ADULT_CALCIUM_TOTAL [52].
CALCIUM_TOTAL: tuple[tuple[float, float, float], ...] = (
    (0.0, 7.6, 10.4),
    (11 * _DAY, 9.0, 11.0),
    (3.0, 8.8, 10.8),
    (13.0, 8.4, 10.2),
    (19.0, *ADULT_CALCIUM_TOTAL),
)

# Ionised calcium, mmol/L: Davis [81]; adult 1.15-1.32 [52][81].
CALCIUM_IONIZED: tuple[tuple[float, float, float], ...] = (
    (0.0, 1.05, 1.46),
    (1.0, 1.20, 1.38),
    (19.0, 1.15, 1.32),
)

# Phosphate (as phosphorus), mg/dL: Davis [82]; 6 d-1 y DiaSys [85]; adult [82][84][88].
PHOSPHATE: tuple[tuple[float, float, float], ...] = (
    (0.0, 4.6, 8.0),
    (6 * _DAY, 3.5, 6.6),
    (1.0, 3.9, 6.5),
    (4.0, 4.0, 5.4),
    (7.0, 3.7, 5.6),
    (12.0, 3.3, 5.4),
    (14.0, 2.9, 5.4),
    (16.0, 2.8, 4.6),
    (20.0, 2.5, 4.5),
)

# Intact PTH, pg/mL: Davis [83].
PTH: tuple[tuple[float, float, float], ...] = (
    (0.0, 7.0, 59.0),
    (1 / 12, 8.0, 61.0),
    (1.0, 11.0, 59.0),
    (11.0, 15.0, 68.0),
    (18.0, 15.0, 65.0),
)

RANGE_REFS = {"calcium": (52, 81), "ionized_calcium": (52, 81), "phosphate": (82, 84, 85, 88), "pth": (83,)}
