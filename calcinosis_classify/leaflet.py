"""What is usually done, and the result in plain words.

:func:`management_notes` picks the management options of :data:`~calcinosis_classify.knowledge.MANAGEMENT`
for a case's leading and co-existing subtypes; :func:`management_section` renders them for a clinician, as
options to weigh, and :func:`patient_summary` writes the whole result for a patient from the plain wording of
:mod:`calcinosis_classify.knowledge.plain`. No clinical knowledge lives here: every subtype, option and
sentence comes from ``knowledge/``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from calcinosis_classify import knowledge as kb
from calcinosis_classify.engine import URGENCY_LEVELS

if TYPE_CHECKING:
    from calcinosis_classify.assessment import Assessment

__all__ = ["AUDIENCES", "ManagementNote", "management_notes", "management_section", "patient_summary"]

AUDIENCES: tuple[str, ...] = ("clinician", "patient")
LEADING, COEXISTING, GENERAL = "leading", "co-existing", "general"
_WIDTH = 100
PATIENT_COEXISTING = 2  # options listed per co-existing subtype in the patient summary


@dataclass(frozen=True)
class ManagementNote:
    """One management option as listed for a case.

    Attributes
    ----------
    subtype : str or None
        The subtype it is listed under; ``None`` for an option that applies to every subtype.
    role : str
        ``"leading"`` (the most consistent subtype), ``"co-existing"`` or ``"general"``.
    id, option, evidence, practice, cautions, refs, patient
        As in :class:`~calcinosis_classify.knowledge.ManagementOption`.
    """

    subtype: str | None
    role: str
    id: str
    option: str
    evidence: tuple[str, ...]
    practice: str
    cautions: str
    refs: tuple[int, ...]
    patient: str

    def sentence(self) -> str:
        """The option, its evidence, practice status and cautions, references and id, on one line."""
        refs = "".join(f"[{r}]" for r in self.refs)
        return (f"{self.option} Evidence: {', '.join(self.evidence)}; {self.practice}. {self.cautions} {refs} "
                f"<{self.id}>")


def _note(option: kb.ManagementOption, subtype: str | None, role: str) -> ManagementNote:
    return ManagementNote(subtype, role, option.id, option.option, option.evidence, option.practice,
                          option.cautions, option.refs, option.patient)


def _is_general(option: kb.ManagementOption) -> bool:
    return set(option.subtypes) == set(kb.SUBTYPES)


def management_notes(subtype: str, contributing: Iterable[str],
                     shown: Callable[[str], bool]) -> tuple[ManagementNote, ...]:
    """The options listed for a case: the leading subtype's, then each co-existing subtype's, then those that
    apply to every subtype; each option once, in knowledge-base order.

    Parameters
    ----------
    subtype : str
        The most consistent subtype (or ``"indeterminate"``: then only the general options are listed).
    contributing : iterable of str
        Co-existing subtypes.
    shown : callable
        ``shown(option_id)`` is whether the option's ``when`` condition holds for the case (asked only of the
        options of the subtypes listed).
    """
    groups = [(subtype, LEADING)] if subtype in kb.SUBTYPES else []
    groups += [(s, COEXISTING) for s in contributing if s != subtype]
    notes: list[ManagementNote] = []
    seen: set[str] = set()
    for name, role in groups:
        for option in kb.MANAGEMENT:
            if name in option.subtypes and option.id not in seen and not _is_general(option) and shown(option.id):
                notes.append(_note(option, name, role))
                seen.add(option.id)
    notes += [_note(o, None, GENERAL) for o in kb.MANAGEMENT if _is_general(o) and shown(o.id)]
    return tuple(notes)


def management_section(notes: Sequence[ManagementNote], subtype_named: bool) -> list[str]:
    """The "What is usually done" lines of the clinician explanation."""
    lines = ["What is usually done (options for the clinician to weigh with the patient, not instructions):"]
    if not subtype_named:
        lines.append("  No subtype leads, so no subtype-specific option is listed: the missing data and next steps "
                     "above say what would settle it.")
    heading = None
    for note in notes:
        title = (f"For {note.subtype} ({'leading subtype' if note.role == LEADING else note.role}):"
                 if note.subtype else "For every subtype:")
        if title != heading:
            lines.append(f"  {title}")
            heading = title
        lines.append(_fill(note.sentence(), "  - ", "    "))
    return lines


def _fill(text: str, first: str = "", rest: str = "") -> str:
    """``text`` wrapped to the page width, never inside a hyphenated word or an id."""
    return textwrap.fill(text, _WIDTH, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False,
                         break_long_words=False)


def _paragraph(text: str) -> str:
    return _fill(text)


def _bullets(items: Iterable[str]) -> list[str]:
    return [_fill(item, "- ", "  ") for item in items]


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _urgent_part(result: Assessment, words: Mapping[str, str]) -> list[str]:
    """When to seek care, first: the level's heading and lead, and the triggers in plain words."""
    level = result.urgency
    if level == URGENCY_LEVELS[0]:  # routine
        return []
    at_level = {u.id for u in kb.URGENCY if u.level == level}  # the triggers that set the level, not lesser ones
    reasons = _unique(kb.PLAIN_URGENCY[t] for t in result.urgency_triggers if t in at_level)
    return [words[f"{level}_head"], _paragraph(words[f"{level}_lead"]), *_bullets(reasons), ""]


def _fits_part(result: Assessment, words: Mapping[str, str]) -> list[str]:
    """What the leading type usually means, hedged by the confidence; co-existing and other possible types."""
    lines = [words["fits_head"]]
    plain = kb.PLAIN_SUBTYPES.get(result.subtype)
    if plain is None:
        lines.append(_paragraph(words["unclear"]))
    else:
        fits = words[f"fits_{result.confidence}"].format(name=plain.name)
        doctors = words["doctors_call"].format(doctors=result.subtype)
        lines.append(_paragraph(f"{fits} {doctors} {plain.meaning}"))
    part = [kb.PLAIN_SUBTYPES[s].name for s in result.contributing if s in kb.PLAIN_SUBTYPES]
    if part:
        lines.append(_paragraph(words["also_part"].format(types="; ".join(part))))
    others = [kb.PLAIN_SUBTYPES[s].name for s in result.differential
              if s in kb.PLAIN_SUBTYPES and s != result.subtype and s not in result.contributing]
    if others:
        key = "also_possible" if plain is not None else "possible"
        lines.append(_paragraph(words[key].format(types="; ".join(others))))
    return [*lines, ""]


def _help_part(result: Assessment, words: Mapping[str, str]) -> list[str]:
    """The missing inputs as tests (first) and questions, in plain words, each with why it helps."""
    probes = [kb.PLAIN_PROBES[m] for m in result.missing if m in kb.PLAIN_PROBES]
    if not probes:
        return [words["help_head"], _paragraph(words["help_none"]), ""]
    ordered = [p.text for p in probes if p.kind == "test"] + [p.text for p in probes if p.kind != "test"]
    return [words["help_head"], words["help_lead"], *_bullets(ordered), ""]


def _options_part(result: Assessment, words: Mapping[str, str]) -> list[str]:
    """The usual options in plain words, framed as choices to talk about."""
    lines = [words["options_head"]]
    if result.subtype not in kb.PLAIN_SUBTYPES:
        lines.append(_paragraph(words["options_unclear"]))
    else:
        lines.append(_paragraph(words["options_lead"]))
    lines += _bullets(_unique(n.patient for n in _patient_notes(result.management)))
    return [*lines, ""]


def _patient_notes(notes: Sequence[ManagementNote]) -> list[ManagementNote]:
    """The notes a patient summary lists, to keep it short: every option of the leading subtype, the first
    :data:`PATIENT_COEXISTING` of each co-existing one, and the general ones."""
    kept: list[ManagementNote] = []
    per_subtype: dict[str | None, int] = {}
    for note in notes:
        per_subtype[note.subtype] = per_subtype.get(note.subtype, 0) + 1
        if note.role != COEXISTING or per_subtype[note.subtype] <= PATIENT_COEXISTING:
            kept.append(note)
    return kept


def patient_summary(result: Assessment) -> str:
    """The result in plain words for a patient: when to seek care (first, when it applies), what calcinosis
    cutis is, what the leading type usually means, which tests and questions would help, the usual options,
    and that this is not a diagnosis."""
    words = kb.LEAFLET
    title = words["title"] + (f" (case {result.case_id})" if result.case_id is not None else "")
    lines = [title, "", *_urgent_part(result, words), words["what_head"], _paragraph(words["what"]), "",
             *_fits_part(result, words), *_help_part(result, words), *_options_part(result, words),
             _paragraph(words["not_diagnosis"])]
    return "\n".join(lines)
