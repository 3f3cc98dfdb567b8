"""Every data-warning code, in one registry: its meaning and an example.

Intake refuses to emit a code that is not listed here, the ``--report`` file of
``calcinosis-classify score`` carries these codes in its ``code`` column, and the
README's table of warning codes is generated from :data:`WARNING_CODES` (a test
keeps the two identical).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

__all__ = ["WARNING_CODES", "WarningCode", "warning_codes_markdown"]


@dataclass(frozen=True)
class WarningCode:
    """One kind of data problem.

    Parameters
    ----------
    code : str
        The value of the ``code`` column of ``Intake.warnings`` and of the
        ``--report`` file.
    scope : {"cell", "column", "cell or column"}
        ``cell``: about one cell (the warning has a row and lands in that
        row's ``warnings``); ``column``: about a whole column (no row).
    meaning : str
        What happened and what the library did about it.
    example : str
        An input that raises it.
    """

    code: str
    scope: Literal["cell", "column", "cell or column"]
    meaning: str
    example: str


_CODES = (
    # ------------------------------------------------------------------ columns
    WarningCode("unknown_column", "column",
                "A column is not an input field but is close to one; it is passed through unused.",
                "a column `calcuim` (did you mean `calcium`?)"),
    WarningCode("duplicate_field", "column",
                "Two columns map to the same field (e.g. an alias and the name); the second is passed through "
                "unused.", "columns `calcium` and `ca`"),
    WarningCode("orphan_unit_column", "column",
                "A `<field>_unit` column has no column of that field beside it; it is ignored.",
                "`pth_unit` without a `pth` column"),
    WarningCode("column_unit_suspect", "column",
                "Most values of a column without a stated unit are plausible only in the other unit system; "
                "they are read in that unit (each such cell also gets `unit_assumed`). Pass the right `--units` "
                "or add a `<field>_unit` column.",
                "calcium 2.3, 2.5, 2.4, 2.6 and 9.6 with no unit: 'calcium looks like mmol/L in 4 of 5 rows'"),
    WarningCode("ignored_column", "column",
                "A column is not an input field (and close to none); it is passed through unused. Not a data "
                "problem: listed so a misnamed column is noticed.", "a column `notes`"),
    WarningCode("unmatched_site", "column",
                "Lesion-site text that matches no site group: site rules cannot use it (the rows are scored). "
                "Reword it (e.g. 'thigh', 'fingertips', 'scrotum') or add the pattern to the site groups.",
                "`lesion_site` 'lateral aspect'"),
    WarningCode("duplicate_case_id", "cell",
                "The same case id is on more than one row; every row is scored.", "two rows with case id `A`"),
    WarningCode("blank_row", "cell",
                "A line of only separators: kept as a row (so rows stay aligned) with subtype `indeterminate`, "
                "not counted as a case.", "a line `,,,,`"),
    # ------------------------------------------------------------------ units
    WarningCode("unknown_unit", "cell or column",
                "A unit (in the header, a unit column or the cell) is not a unit of the field: the value is "
                "unknown (a header unit that is not the field's makes the whole column ignored).",
                "calcium `9.5 mg/L`, or a header `calcium [mg/L]`"),
    WarningCode("unit_conflict", "cell",
                "Two statements of a cell's unit disagree (the cell, the `<field>_unit` column, the header); "
                "the most specific wins: the cell, then the unit column, then the header.",
                "calcium `2.4 mmol/L` with `calcium_unit` = `mg/dL`"),
    WarningCode("unit_assumed", "cell",
                "A value was read in another unit than the one it was given in (or the default): it is impossible "
                "in its unit and plausible in exactly one other, or its column looks like the other unit system.",
                "calcium 2.4 with no unit: read as 2.4 mmol/L = 9.62 mg/dL"),
    WarningCode("row_unit_presumed", "cell",
                "A lab without a stated unit was read in the other unit system because calcium on the same row "
                "was, and the value is plausible there.",
                "calcium 2.4 and phosphate 1.6 with no unit: phosphate read as 1.6 mmol/L = 4.96 mg/dL"),
    WarningCode("ambiguous_unit", "cell",
                "A value without a stated unit is possible but implausible in the default unit and plausible in "
                "the other: it is unknown rather than read in the less plausible unit.",
                "calcium 3.5 with no unit (3.5 mg/dL or 3.5 mmol/L = 14.0 mg/dL?)"),
    WarningCode("implausible_for_unit", "cell",
                "`strict_units=True`: a value impossible in its unit (plausible in another) is unknown.",
                "calcium 2.4 mg/dL with strict units"),
    WarningCode("implausible", "cell",
                "A value is outside the possible range in every accepted unit: it is unknown.",
                "calcium 5000"),
    # ------------------------------------------------------------------ numbers
    WarningCode("not_a_number", "cell", "Text in a number column: the value is unknown.", "calcium `abc`"),
    WarningCode("censored", "cell", "A censored result: its limit is used as the value.", "PTH `<3`"),
    WarningCode("not_finite", "cell", "An infinite number: the value is unknown.", "calcium `inf`"),
    WarningCode("negative", "cell", "A negative value where none is possible: the value is unknown.",
                "calcium `-3`"),
    WarningCode("thousands_separator", "cell",
                "A `,` or `.` in a number was read as a thousands separator: because the number has several, or "
                "the decimal reading is implausible for the field, or the file writes its decimals with the "
                "other mark.", "PTH `1,200` (1.2 pg/mL is implausible beside the file's `9.5`): read as 1200"),
    WarningCode("decimal_comma_assumed", "cell",
                "A number like `1,200` was read with a decimal comma (1.2) because this column or file writes "
                "its decimals with a comma.", "PTH `1,200` in a file with calcium `9,5`: read as 1.2"),
    WarningCode("maybe_thousands_separator", "cell",
                "A number like `1.200` was read with its decimal point (1.2), as the input writes decimals with "
                "a point, though the thousands reading (1200) would be plausible too.",
                "PTH `1.200` in a file with calcium `9.5`"),
    WarningCode("ambiguous_separator", "cell",
                "A number like `1,200` is plausible both with a decimal comma and with a thousands separator and "
                "nothing in the file tells which: the value is unknown. Write it without grouping.",
                "PTH `1,200` in a file with no other decimals"),
    # ------------------------------------------------------------------ other kinds
    WarningCode("unparseable_flag", "cell", "A yes/no cell is not understood: unknown.", "dialysis `maybe`"),
    WarningCode("unparseable_status", "cell", "A low/normal/high cell is not understood: unknown.",
                "calcium_status `odd`"),
    WarningCode("unparseable_sex", "cell", "A sex cell is not understood: unknown.", "sex `x`"),
    WarningCode("status_contradicts_value", "cell",
                "A qualitative status contradicts the number beside it: the number is used.",
                "calcium_status `high` with calcium 8.0"),
    # ------------------------------------------------------------------ FHIR input
    WarningCode("fhir_bad_json", "cell or column",
                "FHIR input: a line (or Bundle entry) is not a JSON resource object, or has no resourceType: it "
                "is skipped; every other line is read.", "a line `{\"resourceType\": \"Observation\", ` cut short"),
    WarningCode("fhir_bad_value", "cell or column",
                "FHIR input: an element has the wrong JSON type: that element is ignored, the rest of the "
                "resource is read.", "`valueQuantity.value` = `\"9.5\"` (a string)"),
    WarningCode("fhir_no_subject", "column",
                "FHIR input: a resource has no subject, or its subject is not a Patient: it is not used.",
                "an Observation without `subject`"),
    WarningCode("fhir_no_id", "cell", "FHIR input: a Patient without an id: it gets a row, nothing can refer to it.",
                "`{\"resourceType\": \"Patient\"}`"),
    WarningCode("fhir_patient_not_found", "cell",
                "FHIR input: resources refer to a patient with no Patient resource: the patient gets a row "
                "(age and sex unknown).", "an Observation with subject `Patient/p9` and no Patient p9"),
    WarningCode("fhir_no_patients", "column",
                "FHIR input: no Patient resources at all (e.g. an export without Patient.ndjson): patients "
                "come from the references; ages and sexes are unknown.", "a folder with only Observation.ndjson"),
    WarningCode("fhir_duplicate", "cell",
                "FHIR input: the same resource (type and id) appears more than once: it is counted once.",
                "Observation/o1 twice"),
    WarningCode("fhir_unknown_code", "column",
                "FHIR input: resources whose codes are in no code map (one warning per code, with a count): "
                "not used.", "an Observation coded LOINC 718-7 (haemoglobin)"),
    WarningCode("fhir_no_date", "cell", "FHIR input: a lab result without an effective date: not used.",
                "an Observation without `effectiveDateTime`"),
    WarningCode("fhir_after_as_of", "column",
                "FHIR input: resources dated after `as_of` (one warning with the count): not used.",
                "a calcium of 2024-07-02 with `--as-of 2024-06-30`"),
    WarningCode("fhir_lab_too_old", "cell",
                "FHIR input: the newest result of a lab is older than the window before `as_of`: the lab is "
                "unknown; the warning names the date.", "the newest calcium is 200 days old with `--window-days 90`"),
    WarningCode("fhir_no_unit", "cell",
                "FHIR input: a quantity without a unit: its unit is inferred as for CSV input (default "
                "conventional unit, or the one its value is plausible in).", "`valueQuantity` = `{\"value\": 2.4}`"),
    WarningCode("fhir_no_value", "cell",
                "FHIR input: a lab Observation with no value, interpretation or dataAbsentReason: not used.",
                "an Observation with only a code"),
    WarningCode("fhir_data_absent", "cell",
                "FHIR input: the newest result of a lab says its data are absent (`dataAbsentReason`): the "
                "lab is unknown.", "`dataAbsentReason` = `not-performed`"),
    WarningCode("fhir_paired_draws", "cell",
                "FHIR input: calcium and phosphate come from the newest draws at most 7 days apart (for "
                "Ca×P), not from the newest single results.", "calcium of 06-20, phosphate of 06-01 and 05-30, "
                "calcium of 06-02: the 06-02/06-01 pair is used"),
    WarningCode("fhir_unpaired_draws", "cell",
                "FHIR input: calcium and phosphate were drawn more than 7 days apart with no closer pair in "
                "the window: the older of the two is not used (so no Ca×P).",
                "calcium of 06-20, phosphate of 05-01 only"),
    WarningCode("fhir_unconfirmed", "cell",
                "FHIR input: a Condition is `unconfirmed`, `provisional` or `differential`: not used as a "
                "diagnosis (only `refuted` records a field as absent).", "a provisional diagnosis of lupus"),
    WarningCode("fhir_no_body_site", "cell",
                "FHIR input: the calcinosis Condition has no bodySite: `lesion_site` is unknown.",
                "a calcinosis cutis Condition without `bodySite`"),
    WarningCode("fhir_route", "cell",
                "FHIR input: a medication that counts only by one route (IV calcium) has another route or none: "
                "not used.", "calcium gluconate with route `oral`"),
)

WARNING_CODES: Mapping[str, WarningCode] = MappingProxyType({c.code: c for c in _CODES})


def warning_codes_markdown() -> str:
    """The registry as a markdown table (the README embeds this verbatim)."""
    lines = ["| code | about | meaning | example |", "|---|---|---|---|"]
    lines.extend(f"| `{c.code}` | {c.scope} | {c.meaning} | {c.example} |" for c in _CODES)
    return "\n".join(lines)
