"""The record types of the knowledge base (data only, no evaluation).

Conditions are short boolean expressions over finding names (see
:mod:`calcinosis_classify.findings`) written with ``&`` (and), ``|`` (or),
``~`` (not) and three functions: ``known(x)``, ``unknown(x)`` and
``not_known(x)`` (true unless ``x`` is known to be true). ``true`` is a
condition that always holds. They are parsed and checked against the known
findings when the package is imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "SUBTYPES",
    "CantMiss",
    "EVIDENCE_LEVELS",
    "PRACTICE_STATUSES",
    "Coexistence",
    "Composite",
    "ConfidencePolicy",
    "ManagementOption",
    "NextStep",
    "Override",
    "Probe",
    "RiskFactor",
    "RiskScheme",
    "Rule",
    "Strength",
    "UrgencyTrigger",
]

SUBTYPES: tuple[str, ...] = ("dystrophic", "metastatic", "idiopathic", "iatrogenic", "calciphylaxis")

Strength = Literal["strong", "moderate", "weak", "candidate", "modifier"]


@dataclass(frozen=True)
class Rule:
    """A finding that moves one subtype's points (clinical-spec §6.2–§6.3).

    Attributes
    ----------
    id : str
        Unique, stable identifier (shown in the ``evidence`` column).
    subtype : str
        One of :data:`SUBTYPES`.
    condition : str
        Boolean expression over findings.
    points : int
        Signed points: strong ±3, moderate ±2, weak ±1 (§6.2). Rules whose
        spec weight needs known-normal labs are split into a part that needs
        no labs and a part that does, summing to the spec weight.
    strength : str
        The evidence-table column the rule comes from: ``strong``, ``moderate`` or ``weak`` evidence
        (which *supports* a subtype: only a supported subtype can be named), a ``modifier`` (an age band,
        or a risk factor that adds to a subtype only beside other support, §6.8.1), or a
        ``candidate`` rule: the ordering of the differential when little is recorded (clinical-spec
        §6.8.4), which lists a subtype without supporting it.
    evidence : str
        Kind of evidence behind it (registry, case-control, case series,
        textbook, expert consensus, proposed).
    rationale : str
        One sentence a clinician can check.
    refs : tuple of int
        Clinical-spec reference numbers.
    phenotype : str or None
        Name of an idiopathic phenotype this rule recognises (for O4).
    """

    id: str
    subtype: str
    condition: str
    points: int
    strength: Strength
    evidence: str
    rationale: str
    refs: tuple[int, ...]
    phenotype: str | None = None

    @property
    def direction(self) -> Literal["for", "against"]:
        """``"for"`` when the rule adds points, ``"against"`` when it removes them."""
        return "for" if self.points > 0 else "against"


@dataclass(frozen=True)
class Override:
    """A rank-forcing rule applied after scoring (clinical-spec §6.2 O1–O4).

    ``action`` is one of ``"rank_first"`` (the subtype is lifted above every
    other when the condition holds), ``"rank_at_most_third"`` (the subtype is
    held below the two best others when the condition holds) and
    ``"lead_only_if"`` (the subtype may lead only when the condition holds).
    The engine adds the findings ``strong_other_<subtype>`` (a strong rule of
    another subtype fired) and ``phenotype_<subtype>`` (a phenotype rule of
    the subtype fired) for these conditions.
    """

    id: str
    subtype: str
    action: Literal["rank_first", "rank_at_most_third", "lead_only_if"]
    condition: str
    rationale: str
    refs: tuple[int, ...]


@dataclass(frozen=True)
class Coexistence:
    """Primary and contributing subtypes that co-exist (clinical-spec §6.5).

    When the condition holds the contributing subtype is listed in the
    differential right after the primary; with ``primary_outranks`` the
    primary is also lifted above the contributing subtype.
    """

    id: str
    condition: str
    primary: str
    contributing: str
    primary_outranks: bool
    rationale: str
    refs: tuple[int, ...]


@dataclass(frozen=True)
class RiskFactor:
    """A calciphylaxis risk factor of the hierarchical scheme (§4.2, §4.4)."""

    id: str
    level: Literal["major", "minor"]
    condition: str
    rationale: str
    refs: tuple[int, ...]


@dataclass(frozen=True)
class UrgencyTrigger:
    """A when-to-seek-care trigger (clinical-spec §7.2).

    The engine adds the findings ``top_<subtype>`` (the rules' top subtype)
    and ``cp_risk_high`` for these conditions.
    """

    id: str
    level: Literal["emergency", "urgent"]
    condition: str
    rationale: str
    refs: tuple[int, ...]


@dataclass(frozen=True)
class NextStep:
    """A suggested next investigation (clinical-spec §7.1)."""

    id: str
    condition: str
    text: str
    refs: tuple[int, ...]


@dataclass(frozen=True)
class Composite:
    """A named finding that combines other findings (written in the condition language).

    Composites are evaluated after the findings that need arithmetic (statuses, Ca×P, eGFR, age
    bands, text matching) and in the order they are listed, so a composite may use the ones before
    it. Rules, overrides, risk, urgency and next steps name them like any other finding.
    """

    name: str
    condition: str
    description: str
    refs: tuple[int, ...]


@dataclass(frozen=True)
class CantMiss:
    """The can't-miss subtype (clinical-spec §6.4 step 2a, step 3).

    On equal points it is preferred when ``finding`` holds, and a ``high`` risk of it keeps it in
    the differential whatever its points.
    """

    subtype: str
    finding: str
    refs: tuple[int, ...]


@dataclass(frozen=True)
class ConfidencePolicy:
    """When the confidence is low, moderate or high (clinical-spec §6.2 "Confidence").

    Low when ``graded`` (calcium and phosphate known) does not hold or no subtype leads; high when
    the leader's adjusted points exceed the runner-up's by at least ``high_margin`` and
    ``kidney_known`` holds; moderate otherwise. ``needs_probes`` are the probed inputs named as
    missing whenever the confidence is low for want of them.
    """

    graded: str
    kidney_known: str
    high_margin: float
    needs_probes: tuple[str, ...]
    refs: tuple[int, ...]


@dataclass(frozen=True)
class RiskScheme:
    """Calciphylaxis risk levels from counts of :class:`RiskFactor` (clinical-spec §4.4).

    The scheme is *met* with ``major_for_suspected`` major factors, or one major and
    ``minor_with_one_major`` minor ones. Risk is ``high`` when ``high_when`` holds, or the scheme is
    met with ``lesion`` present; ``moderate`` when ``moderate_when`` holds (the setting), the scheme is
    met, or with ``ischaemic`` and one major or ``minor_with_lesion_for_moderate`` minor factors; ``low``
    otherwise.
    """

    major_for_suspected: int
    minor_with_one_major: int
    minor_with_lesion_for_moderate: int
    high_when: str
    moderate_when: str
    lesion: str
    ischaemic: str
    refs: tuple[int, ...]


@dataclass(frozen=True)
class Probe:
    """An unknown input the missing-data analysis tries at plausible values (clinical-spec §7.1).

    ``name`` is what ``missing`` reports; ``sets`` is the input field given each of ``values``
    (qualitative statuses stand in for numbers, so a probe does not depend on age); the probe
    applies to a row when every field of ``group`` is unknown there.
    """

    name: str
    sets: str
    values: tuple[float, ...]
    group: tuple[str, ...]


# The words a management option may use for the evidence behind it, strongest design first.
EVIDENCE_LEVELS: tuple[str, ...] = (
    "guideline", "systematic review", "randomised trial", "observational cohort", "case-control", "case series",
    "case reports", "expert consensus", "no controlled trial",
)
# Whether an option is standard practice, used outside its licence, or weakly supported.
PRACTICE_STATUSES: tuple[str, ...] = ("standard practice", "off-label", "weakly supported")


@dataclass(frozen=True)
class ManagementOption:
    """What is usually done: one management option for one or more subtypes, as a clinician would weigh it.

    Options are reported for the leading subtype and any co-existing one, never as instructions.

    Attributes
    ----------
    id : str
        Unique, stable identifier.
    subtypes : tuple of str
        The subtypes (of :data:`SUBTYPES`) the option applies to.
    option : str
        What it is, in a clinician's words.
    evidence : tuple of str
        The strength of the evidence behind it, in words from :data:`EVIDENCE_LEVELS`.
    practice : str
        One of :data:`PRACTICE_STATUSES`.
    cautions : str
        When it does not apply, and what to weigh.
    refs : tuple of int
        Reference numbers (:mod:`calcinosis_classify.knowledge.references`).
    patient : str
        The same option in plain words for patients (short sentences, no jargon).
    when : str
        Condition (the condition language) under which the option is shown for a case; ``"true"`` always.
        Written so that an unknown input keeps the option (``not_known(~has_warfarin)``: unless known not
        to take warfarin).
    """

    id: str
    subtypes: tuple[str, ...]
    option: str
    evidence: tuple[str, ...]
    practice: str
    cautions: str
    refs: tuple[int, ...]
    patient: str
    when: str = "true"
