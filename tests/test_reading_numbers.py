"""Reading numbers as spreadsheets write them: thousands separators, decimal commas, units a file does not
state, units in headers, and the registry of warning codes."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calcinosis_classify import classify, score
from calcinosis_classify.intake import read_cases
from calcinosis_classify.warning_codes import WARNING_CODES, warning_codes_markdown

README = Path(__file__).resolve().parents[1] / "README.md"


def csv(text: str) -> pd.DataFrame:
    """A CSV text read the way the command line reads it (every cell as text, delimiter sniffed)."""
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=None, engine="python")


def codes_of_row(intake, row: int) -> list[str]:
    w = intake.warnings
    return w.loc[w["row"] == row, "code"].tolist()


# ------------------------------------------------------------------ item 1: thousands separators

def test_regression_grouped_pth_in_comma_file_is_not_read_as_a_decimal() -> None:
    """Regression: PTH "1,200" in a comma CSV was read as 1.2 pg/mL without a warning, which fired the
    PTH-independent hypercalcaemia rule and made the case urgent; 1200 is the only reading consistent with the
    file's decimal points."""
    text = 'case_id,age_years,calcium,pth,lesion_site\n1,60,13.2,"1,200",shoulder\n2,60,13.2,1200,shoulder\n'
    frame = csv(text)
    intake = read_cases(frame)
    assert intake.values["pth"].tolist() == [1200.0, 1200.0]
    assert codes_of_row(intake, 0) == ["thousands_separator"]
    scored = score(frame)
    assert scored["urgency"].tolist()[0] == scored["urgency"].tolist()[1]
    assert "MET-PTH-INDEPENDENT" not in scored["evidence"].iloc[0]


def test_a_decimal_comma_stays_a_decimal_comma() -> None:
    """"2,45" calcium is a decimal comma (2,450 mg/dL is impossible), and "9,5" has no thousands reading."""
    intake = read_cases(csv("case_id;calcium;phosphate\n1;2,45;1,1\n2;9,5;3,5\n"))
    np.testing.assert_allclose(intake.values["calcium"], [2.45 * 4.008, 9.5])
    assert "thousands_separator" not in set(intake.warnings["code"])


@pytest.mark.parametrize("text, pth, code", [
    # The file's other numbers use a decimal point: "1.200" keeps its literal reading, with a note.
    ('case_id,calcium,pth\n1,9.8,"1.200"\n2,9.1,40\n', 1.2, "maybe_thousands_separator"),
    # A semicolon file with decimal commas: "1.200" can only be grouped.
    ("case_id;calcium;pth\n1;9,8;1.200\n2;9,1;40\n", 1200.0, "thousands_separator"),
    # Decimal commas elsewhere: "1,200" is 1.2, said so.
    ("case_id;calcium;pth\n1;9,8;1,200\n2;9,1;40\n", 1.2, "decimal_comma_assumed"),
    # Nothing tells: unknown, with a warning.
    ('case_id,pth\n1,"1,200"\n', np.nan, "ambiguous_separator"),
    # Both marks: unambiguous, but still not the cell's first-glance reading.
    ('case_id,pth\n1,"1,234.5"\n', 1234.5, "thousands_separator"),
    ('case_id,pth\n1,"1,234,567"\n', np.nan, "thousands_separator"),  # 1,234,567 pg/mL: then implausible
])
def test_grouping_is_decided_per_column_and_file_and_always_said(text: str, pth: float, code: str) -> None:
    intake = read_cases(csv(text))
    np.testing.assert_array_equal(intake.values["pth"][:1], [pth])
    assert code in codes_of_row(intake, 0)


def _grouped(value: int, sep: str) -> str:
    text = f"{value:,}"
    return text if sep == "," else text.replace(",", ".")


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 9_999_999), st.sampled_from([",", "."])), min_size=1, max_size=8),
       st.sampled_from(["pth", "calcium", "phosphate", "creatinine", "vitamin_d_25oh"]),
       st.sampled_from(["", "9.5", "9,5"]))
def test_a_grouped_number_is_never_silently_read_as_another_value(cells, field, other) -> None:
    """Property: a number written with thousands separators is read as that number or gets a warning (and an
    unknown, where the number is impossible): never a different value in silence. ("1.200" is grouped only
    in an input that writes decimals with a comma; elsewhere its literal meaning is 1.2.)"""
    if other != "9,5":
        cells = [(v, ",") for v, _ in cells]
    frame = pd.DataFrame({field: [_grouped(v, s) for v, s in cells],
                          "albumin": [other] * len(cells)}, dtype=object)
    intake = read_cases(frame)
    for row, (value, _) in enumerate(cells):
        got = intake.values[field][row]
        if not codes_of_row(intake, row):
            assert got == pytest.approx(value, rel=1e-12), (row, frame[field][row], got)


@settings(max_examples=60)
@given(st.integers(0, 99), st.integers(0, 9_999), st.sampled_from([",", "."]))
def test_a_decimal_that_cannot_be_grouped_is_read_as_written(whole: int, frac: int, sep: str) -> None:
    """Property: "12,5" or "0,125" (not a group of three after a non-zero lead) is a decimal, whichever mark."""
    digits = str(frac)
    if len(digits) == 3 and whole != 0:
        digits += "1"  # four decimals: no thousands reading
    cell = f"{whole}{sep}{digits}"
    intake = read_cases(pd.DataFrame({"lesion_count": [cell]}, dtype=object))
    got = intake.values["lesion_count"][0]
    if not codes_of_row(intake, 0):
        assert got == pytest.approx(float(f"{whole}.{digits}"))


# ------------------------------------------------------------------ item 2: units the file does not state

def test_regression_severe_hypercalcaemia_in_mmol_is_not_read_as_impossible_hypocalcaemia() -> None:
    """Regression: calcium 3.5 with no unit was accepted as 3.5 mg/dL (severe hypocalcaemia) though it is far
    more plausible as 3.5 mmol/L (14 mg/dL, a crisis). Alone it is ambiguous: unknown, with a warning."""
    intake = read_cases({"calcium": 3.5})
    assert np.isnan(intake.values["calcium"][0])
    assert intake.warnings["code"].tolist() == ["ambiguous_unit"]
    assert "mmol/L" in intake.warnings["message"].iloc[0]


def test_regression_a_column_that_looks_si_is_said_once() -> None:
    """Regression: an SI file without units gave one conversion warning per calcium cell and none for
    phosphate or PTH, which were read as conventional values."""
    frame = csv("case_id,calcium,phosphate,pth\n1,2.3,1.1,3.5\n2,2.5,1.2,4\n3,2.4,1.0,5\n4,2.6,1.3,6\n"
                "5,9.6,3.5,40\n")
    intake = read_cases(frame)
    column = intake.warnings[intake.warnings["code"] == "column_unit_suspect"]
    assert column["row"].isna().all() and column["field"].tolist() == ["calcium", "phosphate", "pth"]
    assert column["message"].iloc[0] == ("calcium looks like mmol/L in 4 of 5 rows without a stated unit: "
                                         "pass --units si (units='si'), or add a calcium_unit column")
    np.testing.assert_allclose(intake.values["phosphate"], [1.1 * 3.097, 1.2 * 3.097, 3.097, 1.3 * 3.097, 3.5])
    np.testing.assert_allclose(intake.values["pth"], [3.5 * 9.43, 4 * 9.43, 5 * 9.43, 6 * 9.43, 40])
    # Row 5 is conventional throughout: none of its values is touched.
    assert codes_of_row(intake, 4) == []


def test_regression_si_calcium_on_a_row_makes_si_the_presumption_for_its_other_labs() -> None:
    """Regression: after calcium 2.4 was converted from mmol/L, phosphate 1.6 on the same row was still read
    as 1.6 mg/dL (hypophosphataemia) instead of 1.6 mmol/L (4.96 mg/dL)."""
    intake = read_cases({"calcium": 2.4, "phosphate": 1.6, "pth": 5.0})
    assert intake.values["phosphate"][0] == pytest.approx(1.6 * 3.097)
    assert intake.values["pth"][0] == pytest.approx(5.0 * 9.43)
    assert intake.warnings["code"].tolist() == ["unit_assumed", "row_unit_presumed", "row_unit_presumed"]


def test_strict_units_never_guesses_from_the_column_or_the_row() -> None:
    frame = csv("calcium,phosphate\n2.3,1.1\n2.5,1.2\n3.5,1.0\n")
    strict = read_cases(frame, strict_units=True)
    # Calcium: impossible (2.3, 2.5) or ambiguous (3.5) in mg/dL. Phosphate: plausible in mg/dL, but the column
    # looks like mmol/L: neither reading is taken.
    assert np.isnan(strict.values["calcium"]).all() and np.isnan(strict.values["phosphate"]).all()
    w = strict.warnings
    assert w.loc[w["row"].isna(), "field"].tolist() == ["calcium", "phosphate"]
    assert set(w.loc[w["field"] == "phosphate", "code"]) == {"column_unit_suspect", "ambiguous_unit"}
    assert "unit_assumed" not in set(w["code"]) and "row_unit_presumed" not in set(w["code"])


def test_stated_units_are_never_second_guessed() -> None:
    """A value possible in the unit its row states stays as stated, however the column looks."""
    frame = pd.DataFrame({"calcium": [2.3, 2.5, 2.4, 3.5], "calcium_unit": ["", "", "", "mg/dL"]})
    intake = read_cases(frame)
    assert intake.values["calcium"][3] == 3.5
    assert codes_of_row(intake, 3) == []


# ------------------------------------------------------------------ units: which statement wins

def test_a_unit_in_the_cell_beats_the_unit_column_with_a_warning() -> None:
    """The README said the unit column wins over a unit in the cell while the code let the cell win; the cell
    is the most specific statement, so it wins, and a contradiction is reported."""
    frame = pd.DataFrame({"calcium": ["2.4 mmol/L", "9.5 mg/dL", "9.5"], "calcium_unit": ["mg/dL"] * 3})
    intake = read_cases(frame)
    np.testing.assert_allclose(intake.values["calcium"], [2.4 * 4.008, 9.5, 9.5])
    w = intake.warnings
    assert w["code"].tolist() == ["unit_conflict"] and w["row"].tolist() == [0]
    assert w["message"].iloc[0] == ("calcium: the cell says 'mmol/L' but calcium_unit says 'mg/dL'; "
                                    "the cell's unit is used")
    readme = README.read_text()
    assert "a unit written in the cell (`2.4 mmol/L`) wins" in readme


def test_a_unit_column_beats_the_header_with_a_warning() -> None:
    frame = pd.DataFrame({"calcium [mg/dL]": [2.4, 9.5], "calcium_unit": ["mmol/L", ""]})
    intake = read_cases(frame)
    np.testing.assert_allclose(intake.values["calcium"], [2.4 * 4.008, 9.5])
    assert intake.warnings["code"].tolist() == ["unit_conflict"]


# ------------------------------------------------------------------ item 4: units in headers without brackets

@pytest.mark.parametrize("header, value, field, expected", [
    ("PTH pg/ml", "40", "pth", 40.0),
    ("Calcium mmol/L", "2.4", "calcium", 2.4 * 4.008),
    ("albumin g/L", "35", "albumin", 3.5),
    ("creatinine_umol/l", "88.4", "creatinine", 1.0),
])
def test_regression_header_unit_without_brackets_is_parsed(header: str, value: str, field: str,
                                                           expected: float) -> None:
    """Regression: a header such as "PTH pg/ml" raised StopIteration (in score() and, with a traceback, in the
    command line) instead of being read as the field with that unit."""
    intake = read_cases(pd.DataFrame({header: [value]}))
    assert intake.values[field][0] == pytest.approx(expected)
    assert intake.warnings.empty
    assert score(pd.DataFrame({header: [value]}))["warnings"].iloc[0] == ""


def test_header_unit_without_brackets_on_the_command_line(tmp_path) -> None:
    from calcinosis_classify.cli import main

    src = tmp_path / "in.csv"
    src.write_text("case_id,PTH pg/ml,Calcium mmol/L\n1,40,2.4\n")
    assert main(["score", str(src), "-o", str(tmp_path / "out.csv"), "-q"]) == 0


# ------------------------------------------------------------------ the registry of warning codes

def test_every_code_intake_can_emit_is_registered() -> None:
    """A code missing from the registry is refused where it is emitted (this would raise)."""
    frame = pd.DataFrame({"calcuim": [1], "calcium": ["abc"], "ca": [1], "pth_unit": ["x"], "dialysis": ["maybe"],
                          "calcium_status": ["odd"], "sex": ["x"]})
    intake = read_cases(frame)
    assert set(intake.warnings["code"]) <= set(WARNING_CODES)


def test_readme_warning_table_is_generated_from_the_registry() -> None:
    readme = README.read_text()
    block = readme.split("<!-- warning-codes:start -->\n")[1].split("\n<!-- warning-codes:end -->")[0]
    assert block == warning_codes_markdown()


def test_the_report_carries_registered_codes(tmp_path) -> None:
    from calcinosis_classify.cli import main

    src = tmp_path / "in.csv"
    src.write_text('case_id,calcium,pth,calcuim\n1,2.4,"1,200",x\n2,abc,3.5,y\n3,9.5,40,z\n')
    report = tmp_path / "report.csv"
    assert main(["score", str(src), "-o", str(tmp_path / "out.csv"), "-q", "--report", str(report)]) == 1
    codes = set(pd.read_csv(report)["code"])
    assert codes and codes <= set(WARNING_CODES)


def test_classify_reports_a_misread_it_avoided() -> None:
    a = classify({"calcium": 3.5, "lesion_site": "shoulder"})
    assert a.warnings and "could be mg/dL or mmol/L" in a.warnings[0]


def test_the_command_line_says_once_that_a_column_looks_si(tmp_path, capsys) -> None:
    """The column-level warning reaches the command line's summary and report once, however many chunks."""
    from calcinosis_classify.cli import main

    src = tmp_path / "si.csv"
    src.write_text("case_id,calcium,phosphate\n" + "".join(f"{i},2.{i % 5 + 2},1.{i % 4 + 1}\n" for i in range(40)))
    report = tmp_path / "report.csv"
    assert main(["score", str(src), "-o", str(tmp_path / "out.csv"), "--chunk-rows", "10", "--jobs", "1",
                 "--report", str(report)]) == 1
    err = capsys.readouterr().err
    assert err.count("calcium looks like mmol/L in 10 of 10 rows") == 1
    assert err.count("phosphate looks like mmol/L") == 1
    rows = pd.read_csv(report)
    column = rows[rows["code"] == "column_unit_suspect"]
    assert column["field"].tolist() == ["calcium", "phosphate"] and column["input_row"].isna().all()
