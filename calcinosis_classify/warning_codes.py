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
)

WARNING_CODES: Mapping[str, WarningCode] = MappingProxyType({c.code: c for c in _CODES})


def warning_codes_markdown() -> str:
    """The registry as a markdown table (the README embeds this verbatim)."""
    lines = ["| code | about | meaning | example |", "|---|---|---|---|"]
    lines.extend(f"| `{c.code}` | {c.scope} | {c.meaning} | {c.example} |" for c in _CODES)
    return "\n".join(lines)
