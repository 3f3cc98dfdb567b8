"""Every numeric cut-off the findings use, in one overridable object.

Data only. Each threshold carries its unit, the clinical-spec reference
numbers behind it and the range a sensitivity analysis may move it in (checked
when a :class:`Thresholds` is built, so a typo fails before any scoring).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from calcinosis_classify.errors import ThresholdError
from calcinosis_classify.knowledge.ranges import ADULT_CALCIUM_TOTAL

__all__ = ["DEFAULT_THRESHOLDS", "Thresholds", "threshold_table"]


def _t(default: float, unit: str, refs: tuple[int, ...], sane: tuple[float, float], doc: str) -> Any:
    return dataclasses.field(default=default, metadata={"unit": unit, "refs": refs, "sane": sane, "doc": doc})


@dataclass(frozen=True)
class Thresholds:
    """Numeric cut-offs used by the derived findings.

    Build a variant with keyword overrides, e.g.
    ``Thresholds(caxp_metastatic=55)`` or ``DEFAULT_THRESHOLDS.replace(caxp_metastatic=60)``.
    Values are validated against a sane range; unknown names raise
    :class:`~calcinosis_classify.errors.ThresholdError`.
    """

    caxp_metastatic: float = _t(70.0, "mg²/dL²", (1, 5, 45), (50.0, 90.0),
                                "Ca×P at or above which metastatic calcification occurs without prior damage; "
                                "55 (K/DOQI [36][43]) and 60 ([46]) are the alternatives.")
    caxp_elevated: float = _t(55.0, "mg²/dL²", (36, 43), (40.0, 80.0),
                              "Ca×P at or above which the CKD target is exceeded (moderate support).")
    caxp_elevated_young_child: float = _t(65.0, "mg²/dL²", (37,), (40.0, 80.0),
                                          "K/DOQI paediatric target for children aged 12 or less.")
    calcium_mild: float = _t(ADULT_CALCIUM_TOTAL[1], "mg/dL", (52,), (9.5, 11.5), "Hypercalcaemia above this (adults).")
    calcium_moderate: float = _t(12.0, "mg/dL", (52,), (11.0, 13.0), "Moderate hypercalcaemia from here.")
    calcium_crisis: float = _t(14.0, "mg/dL", (52,), (13.0, 16.0),
                               "Hypercalcaemic crisis (override O2, emergency).")
    albumin_normal: float = _t(4.0, "g/dL", (52, 94), (3.5, 4.5), "Albumin the correction formula adjusts to.")
    albumin_slope: float = _t(0.8, "mg/dL per g/dL", (52, 94), (0.5, 1.0),
                              "Corrected Ca = Ca + slope × (albumin_normal − albumin).")
    albumin_low: float = _t(3.4, "g/dL", (11, 13, 88), (2.5, 3.8),
                            "Hypoalbuminaemia below this (calciphylaxis risk factor).")
    pth_very_high: float = _t(1000.0, "pg/mL", (26,), (500.0, 2000.0),
                              "iPTH above which the Chinese scheme counts a major calciphylaxis factor.")
    pth_dialysis_low: float = _t(300.0, "pg/mL", (26,), (100.0, 500.0),
                                 "iPTH below which a dialysis patient has a minor calciphylaxis factor.")
    vitd_concern: float = _t(50.0, "ng/mL", (51,), (30.0, 100.0), "25-OH D of possible concern (NAM).")
    vitd_toxic: float = _t(150.0, "ng/mL", (50,), (100.0, 250.0), "25-OH D hallmark of vitamin D toxicity.")
    vitd125_high: float = _t(78.0, "pg/mL", (92,), (45.0, 120.0),
                             "1,25-(OH)₂D above the wider published reference (18–78 pg/mL).")
    egfr_ckd: float = _t(60.0, "mL/min/1.73m²", (41,), (45.0, 90.0), "CKD G3a or worse below this.")
    egfr_g3b: float = _t(45.0, "mL/min/1.73m²", (41,), (35.0, 50.0), "CKD G3b or worse below this.")
    egfr_g4: float = _t(30.0, "mL/min/1.73m²", (41,), (20.0, 45.0), "CKD G4–G5 below this.")
    egfr_g5: float = _t(15.0, "mL/min/1.73m²", (41,), (10.0, 20.0), "CKD G5 below this.")
    dialysis_long_years: float = _t(5.0, "years", (26,), (2.0, 10.0),
                                    "Dialysis vintage counted as a major calciphylaxis factor.")
    warfarin_necrosis_months: float = _t(0.5, "months", (32, 33), (0.1, 2.0),
                                         "Lesions this soon after starting warfarin favour warfarin skin "
                                         "necrosis (3–10 days) over calciphylaxis (~30 months).")
    extravasation_window_weeks: float = _t(6.0, "weeks", (70, 71, 72, 73, 74, 75), (2.0, 12.0),
                                           "Plausible window from IV calcium exposure to lesion onset.")
    heel_stick_min_years: float = _t(1 / 12, "years", (69,), (0.0, 0.5),
                                     "Heel-stick nodules are first noticed from about 1 month of age...")
    heel_stick_peak_lo_years: float = _t(4 / 12, "years", (69,), (0.1, 0.5), "...typically at 4 months...")
    heel_stick_peak_hi_years: float = _t(1.0, "years", (69,), (0.5, 2.0), "...to 12 months of age.")
    neonate_years: float = _t(28 / 365.25, "years", (70, 80), (0.0, 0.1), "Neonatal period (28 days).")
    infant_years: float = _t(1.0, "years", (69, 70), (0.5, 2.0), "Infancy ends here.")
    child_years: float = _t(18.0, "years", (82, 97), (12.0, 21.0), "Adult reference ranges apply from here.")
    young_child_years: float = _t(12.0, "years", (37,), (6.0, 13.0), "Paediatric Ca×P target age limit.")
    calciphylaxis_min_age: float = _t(15.0, "years", (12, 15, 16, 18), (10.0, 20.0),
                                      "Youngest calciphylaxis patient in the retrieved series.")
    scrotal_min_age: float = _t(12.0, "years", (61, 62), (8.0, 16.0), "Scrotal calcinosis: adolescence onwards...")
    scrotal_max_age: float = _t(70.0, "years", (61, 62), (50.0, 90.0), "...to the oldest reported (67 y).")
    hftc_max_age: float = _t(40.0, "years", (66, 67), (20.0, 60.0),
                             "'Child or young adult' for the HFTC pattern [PROPOSED].")
    scfn_ionized_emergency: float = _t(1.6, "mmol/L", (80,), (1.4, 1.8),
                                       "Infant with SCFN: ionised Ca above this needs specialist care.")

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ThresholdError(f.name, f"must be a number, got {value!r}")
            lo, hi = f.metadata["sane"]
            if not (lo <= float(value) <= hi):
                raise ThresholdError(f.name, f"must be between {lo:g} and {hi:g} {f.metadata['unit']}, "
                                             f"got {value!r}")
        if self.caxp_elevated > self.caxp_metastatic:
            raise ThresholdError("caxp_elevated", f"must not exceed caxp_metastatic ({self.caxp_metastatic:g}), "
                                                  f"got {self.caxp_elevated:g}; when lowering caxp_metastatic "
                                                  f"below {self.caxp_elevated:g}, lower caxp_elevated with it")
        if not (self.calcium_mild < self.calcium_moderate < self.calcium_crisis):
            raise ThresholdError("calcium_moderate", "calcium grades must increase: mild < moderate < crisis")
        if not (self.egfr_g5 < self.egfr_g4 < self.egfr_g3b < self.egfr_ckd):
            raise ThresholdError("egfr_g4", "eGFR cut-offs must increase: G5 < G4 < G3b < CKD")

    def replace(self, **changes: float) -> Thresholds:
        """A copy with some thresholds changed (validated)."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            import difflib

            name = sorted(unknown)[0]
            close = difflib.get_close_matches(name, [f.name for f in dataclasses.fields(self)], n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ThresholdError(name, f"is not a threshold{hint}")
        return dataclasses.replace(self, **changes)

    @classmethod
    def coerce(cls, value: Thresholds | dict[str, float] | None) -> Thresholds:
        """Accept a Thresholds, a dict of overrides, or None (defaults)."""
        if value is None:
            return DEFAULT_THRESHOLDS
        if isinstance(value, Thresholds):
            return value
        if isinstance(value, dict):
            return DEFAULT_THRESHOLDS.replace(**value)
        raise ThresholdError("thresholds", f"must be a Thresholds, a dict or None, got {type(value).__name__}")


DEFAULT_THRESHOLDS = Thresholds()


def threshold_table(thresholds: Thresholds = DEFAULT_THRESHOLDS) -> list[dict[str, Any]]:
    """The thresholds as rows (name, value, unit, references, sane range, meaning)."""
    return [
        {"name": f.name, "value": getattr(thresholds, f.name), "unit": f.metadata["unit"],
         "refs": f.metadata["refs"], "sane": f.metadata["sane"], "doc": f.metadata["doc"]}
        for f in dataclasses.fields(thresholds)
    ]
