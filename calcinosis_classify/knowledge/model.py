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
    "Coexistence",
    "NextStep",
    "Override",
    "RiskFactor",
    "Rule",
    "Strength",
    "UrgencyTrigger",
]

SUBTYPES: tuple[str, ...] = ("dystrophic", "metastatic", "idiopathic", "iatrogenic", "calciphylaxis")

Strength = Literal["strong", "moderate", "weak", "prior", "modifier"]


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
        The evidence-table column the rule comes from.
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
