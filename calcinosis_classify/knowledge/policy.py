"""How the engine turns points into an answer: tie-break order, can't-miss subtype, confidence,
calciphylaxis risk scheme and the inputs the missing-data analysis probes (data only).

The engine names no finding, field or subtype: it reads them from here.
"""

from __future__ import annotations

from calcinosis_classify.knowledge.model import CantMiss, ConfidencePolicy, Probe, RiskScheme
from calcinosis_classify.schema import FIELDS

__all__ = ["CANT_MISS", "CONFIDENCE", "PROBES", "CORRECTED_CALCIUM", "REPORTED_FINDINGS", "RISK_SCHEME", "TIE_ORDER"]

# Ties are broken by (a) can't-miss status, then (b) prior frequency (clinical-spec §6.4 step 2) [PROPOSED].
TIE_ORDER: tuple[str, ...] = ("dystrophic", "metastatic", "iatrogenic", "idiopathic", "calciphylaxis")
TIE_ORDER_REFS: tuple[int, ...] = (1, 5, 7)

CANT_MISS = CantMiss("calciphylaxis", "compatible_cp_lesion", (9, 10, 17))

CONFIDENCE = ConfidencePolicy(graded="confidence_basis", kidney_known="kidney_status_known", high_margin=3.0,
                              needs_probes=("calcium", "phosphate"), refs=(52, 82))

# §4.4 "suspected": 2 major, or 1 major + 3 minor factors (the Chinese expert scheme [26]).
RISK_SCHEME = RiskScheme(major_for_suspected=2, minor_with_one_major=3, minor_with_lesion_for_moderate=2, high_when="cp_high_risk",
                         moderate_when="cp_moderate_risk",
                         lesion="compatible_cp_lesion", ischaemic="ischaemic_lesion", refs=(26,))

# Inputs probed for `missing`, each with the plausible values it is tried at (§7.1). Calcium, phosphate and
# PTH are tried as qualitative statuses (low / normal / high) so the probe does not depend on age.
PROBES: tuple[Probe, ...] = (
    Probe("calcium", "calcium_status", (-1.0, 0.0, 1.0), ("calcium_status", "calcium", "ionized_calcium")),
    Probe("phosphate", "phosphate_status", (-1.0, 0.0, 1.0), ("phosphate_status", "phosphate")),
    Probe("pth", "pth_status", (-1.0, 0.0, 1.0), ("pth_status", "pth")),
    Probe("egfr", "egfr", (95.0, 45.0, 10.0), ("egfr", "creatinine")),
    Probe("albumin", "albumin", (2.5, 4.0), ("albumin",)),
    Probe("vitamin_d_25oh", "vitamin_d_25oh", (30.0, 200.0), ("vitamin_d_25oh",)),
    Probe("age_years", "age_years", (0.05, 8.0, 45.0), ("age_years",)),
    Probe("sex", "sex", (0, 1), ("sex",)),
    # Every yes/no field of the input contract, tried as no and yes.
    *(Probe(f.name, f.name, (0, 1), (f.name,)) for f in FIELDS if f.kind == "flag" and f.contract),
)

# Numeric findings reported as output columns of their own (the output contract): name and decimals kept.
REPORTED_FINDINGS: tuple[tuple[str, int], ...] = (("ca_x_p", 1), ("calcium_corrected", 2))
# The albumin-corrected calcium: explanations say "corrected calcium" only where it was computed.
CORRECTED_CALCIUM = "calcium_corrected"
