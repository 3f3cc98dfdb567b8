"""Command line and batch scoring as spreadsheet and terminal users meet them: ids, duplicate and ignored
columns, delimiters, Excel, compressed output, blank lines, argument errors and help texts.

Each test is a regression test: its docstring says what went wrong before.
"""

from __future__ import annotations

import argparse
import gzip
import warnings
from pathlib import Path

import pandas as pd
import pytest

from calcinosis_classify import CalcinosisClassifyError, score
from calcinosis_classify import batch as batch_mod
from calcinosis_classify.cli import _parser, main
from calcinosis_classify.errors import DuplicateColumnError, InputError, InputWarning

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "fixtures" / "examples.csv"


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


# --------------------------------------------------------------------------- case ids


def test_explain_case_id_finds_the_id_column_under_any_alias(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                             ) -> None:
    """`explain --case-id` only looked in a column literally named case_id, while `score` reads
    'Patient ID', 'patient_id' or 'ID' as the case id: the same file was refused."""
    for header in ("Patient ID", "patient_id", "ID"):
        src = tmp_path / "in.csv"
        src.write_text(f"{header},calcium,pth,age_years\nP1,9.5,40,50\nP2,13.2,8,70\n")
        assert main(["explain", str(src), "--case-id", "P2", "--json"]) == 0, header
        assert '"metastatic"' in capsys.readouterr().out


def test_duplicate_case_ids_are_flagged_in_summary_and_report(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Two rows with one case id went unnoticed: nothing in the summary or the report. Now every such row is
    reported with the rows sharing its id, across chunks and worker processes, and the run exits 1."""
    monkeypatch.setattr(batch_mod, "_PARALLEL_MIN_BYTES", 0)
    ids = [f"c{i}" for i in range(300)]
    ids[250] = "c3"  # c3 on rows 4 and 251 (different chunks)
    ids[20] = ids[21] = "twin"
    ids[40] = ""  # blank ids are not duplicates of each other
    ids[41] = ""
    src = tmp_path / "in.csv"
    src.write_text("case_id,calcium\n" + "".join(f"{i},9.5\n" for i in ids))
    for jobs in ("1", "2"):
        report = tmp_path / f"r{jobs}.csv"
        code = main(["score", str(src), "-o", str(tmp_path / "o.csv"), "--report", str(report), "--jobs", jobs,
                     "--chunk-rows", "50"])
        assert code == 1
        err = capsys.readouterr().err
        assert "duplicate case ids: 2 ids on 4 rows" in err and "'c3' on rows 4, 251" in err
        rep = pd.read_csv(report, dtype=str, keep_default_na=False)
        dup = rep[rep["code"] == "duplicate_case_id"]
        assert dup[["input_row", "case_id"]].values.tolist() == [["4", "c3"], ["21", "twin"], ["22", "twin"],
                                                                 ["251", "c3"]]
        assert "is on 2 rows: 4, 251" in dup["problem"].iloc[0]


def test_explain_case_id_with_duplicates_names_the_rows_and_row_with_case_id_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--case-id` silently explained the first of several matching rows, and `--case-id` with `--row`
    silently ignored `--row`."""
    src = tmp_path / "in.csv"
    src.write_text("case_id,calcium\nA,9.5\nB,9.0\nA,13.0\n")
    assert main(["explain", str(src), "--case-id", "A"]) == 0
    captured = capsys.readouterr()
    assert "case id 'A' is on 2 rows" in captured.err and "(1, 3)" in captured.err and "explaining row 1" in captured.err
    assert main(["explain", str(src), "--case-id", "A", "--row", "3"]) == 2
    assert "not both" in _one_line(capsys.readouterr().err)


# --------------------------------------------------------------------------- columns


def test_columns_differing_only_in_case_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`calcium` and `Calcium` in one file gave exit 1 and silently used the first; the README promises
    exit 2. score() took the first as well."""
    src = tmp_path / "in.csv"
    src.write_text("case_id,calcium,Calcium\n1,9.5,12.0\n")
    assert main(["score", str(src), "-o", str(tmp_path / "o.csv")]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "'calcium' and 'Calcium'" in line
    assert not (tmp_path / "o.csv").exists()
    with pytest.raises(DuplicateColumnError) as info:
        score(pd.DataFrame({"calcium": ["9.5"], "Calcium": ["12"]}))
    assert isinstance(info.value, InputError) and isinstance(info.value, CalcinosisClassifyError)
    assert info.value.groups == (("calcium", "Calcium"),)


def test_column_problems_are_returned_warned_and_summarised() -> None:
    """Column-level problems (a misspelt header, a column nobody reads, site text no group knows) were only
    in the optional report: score() returned nothing about them, and the summary was silent."""
    frame = pd.DataFrame({"case_id": ["a", "b"], "calcuim": ["9", "13"], "ward": ["x", "y"],
                          "lesion_site": ["lateral aspect", "thigh"]})
    with pytest.warns(InputWarning, match="did you mean 'calcium'"):
        out = score(frame)
    problems = {p["code"]: p for p in out.attrs["column_problems"]}
    assert set(problems) == {"unknown_column", "ignored_column", "unmatched_site"}
    assert problems["ignored_column"]["column"] == "ward"
    assert problems["unmatched_site"]["value"] == "lateral aspect" and problems["unmatched_site"]["rows"] == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a clean frame warns nothing
        assert score(pd.DataFrame({"case_id": ["a"], "calcium": ["9.5"]})).attrs["column_problems"] == []


def test_summary_lists_column_problems_without_a_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The summary said only 'N problems'; what was wrong with the columns needed --report."""
    src = tmp_path / "in.csv"
    src.write_text("case_id,calcuim,ward,lesion_site\na,9,x,lateral aspect\nb,13,y,lateral aspect\nc,9,z,thigh\n")
    assert main(["score", str(src), "-o", str(tmp_path / "o.csv")]) == 1
    err = capsys.readouterr().err
    assert "did you mean 'calcium'" in err
    assert "columns ignored (not input fields, passed through): 'ward'" in err
    assert "lesion_site text 'lateral aspect' (2 rows) matched no site group" in err


# --------------------------------------------------------------------------- delimiters, Excel, blank lines


def test_tab_separated_input_keeps_its_delimiter_unless_told(tmp_path: Path) -> None:
    """`--sep tab` and `--sep '\\t'` were refused ('must be a single character'), and the output was always
    comma-separated whatever the input."""
    src = tmp_path / "in.tsv"
    src.write_text("case_id\tcalcium\tlesion_site\n1\t9,5\tthumb, left\n")
    for sep in ("tab", "\\t", "\t"):
        out = tmp_path / "o.tsv"
        assert main(["score", str(src), "-o", str(out), "-q", "--sep", sep]) == 0
        header = out.read_text().splitlines()[0]
        assert header.startswith("case_id\tcalcium\tlesion_site\tsubtype\t")
    assert main(["score", str(src), "-o", str(out), "-q", "--out-sep", "comma"]) == 0
    assert pd.read_csv(out, dtype=str)["lesion_site"].tolist() == ["thumb, left"]


def test_excel_output_has_a_bom_and_the_input_delimiter(tmp_path: Path) -> None:
    """There was no way to write a CSV Excel opens right: no byte-order mark, always commas."""
    src = tmp_path / "in.csv"
    src.write_bytes("case_id;calcium;lesion_site\n1;9,5;pi\xe9d\n".encode("latin-1"))
    out = tmp_path / "o.csv"
    assert main(["score", str(src), "-o", str(out), "-q", "--excel"]) == 0
    data = out.read_bytes()
    assert data.startswith("\ufeffcase_id;calcium;lesion_site;subtype;".encode())
    assert "pi\xe9d".encode() in data
    assert data.count("\ufeff".encode()) == 1


def test_spreadsheet_output_is_refused_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`-o scored.xlsx` wrote CSV text into a file named .xlsx, which Excel refuses to open."""
    assert main(["score", str(EXAMPLES), "-o", str(tmp_path / "x.xlsx")]) == 2
    assert "--excel" in _one_line(capsys.readouterr().err)
    assert main(["synth", "-n", "5", "-o", str(tmp_path / "cohort.xlsx")]) == 2
    assert "cannot write a spreadsheet workbook" in _one_line(capsys.readouterr().err)
    assert list(tmp_path.iterdir()) == []


def test_report_dash_goes_to_standard_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """`--report -` wrote a file named '-' in the working directory."""
    monkeypatch.chdir(tmp_path)
    src = tmp_path / "in.csv"
    src.write_text("case_id,calcium\na,abc\n")
    assert main(["score", str(src), "-o", str(tmp_path / "o.csv"), "--report", "-", "-q"]) == 1
    err = capsys.readouterr().err
    assert "input_row,case_id,column,value,problem,code,field" in err and "not_a_number" in err
    assert not (tmp_path / "-").exists()


def test_a_line_of_only_separators_is_reported_not_counted_as_a_case(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """A spreadsheet's empty line (',,,') was scored as an 'indeterminate' patient without a word. It still
    comes out as a row (row numbers stay aligned with the input), with a warning, and the summary counts it
    as a blank row, not as a case."""
    src = tmp_path / "in.csv"
    src.write_text("case_id,calcium,lesion_site\na,9.5,thumb\n,,\nb,9.6,thumb\n")
    out, report = tmp_path / "o.csv", tmp_path / "r.csv"
    assert main(["score", str(src), "-o", str(out), "--report", str(report)]) == 1
    err = capsys.readouterr().err
    assert "blank rows (no value in any column; written, not scored as cases): 1" in err
    summary = batch_mod.score_file(str(src), str(out))
    assert summary.rows == 3 and summary.blank_rows == 1 and sum(summary.subtype_counts.values()) == 2
    scored = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert scored["case_id"].tolist() == ["a", "", "b"]
    assert scored["warnings"].iloc[1].startswith("blank row")
    rep = pd.read_csv(report, dtype=str, keep_default_na=False)
    assert rep[["input_row", "code"]].values.tolist() == [["2", "blank_row"]]


# --------------------------------------------------------------------------- compressed output


def test_gzip_output_is_fast_level_members_equal_to_plain_output(tmp_path: Path, cohort_csv: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """`-o out.csv.gz` compressed at level 9 on the writing thread: 5.5 times as long as plain CSV. Chunks
    are now compressed in the workers at a fast level, one gzip member each; the file decompresses to
    exactly the plain output."""
    monkeypatch.setattr(batch_mod, "_PARALLEL_MIN_BYTES", 0)
    plain, packed = tmp_path / "o.csv", tmp_path / "o.csv.gz"
    batch_mod.score_file(str(cohort_csv), str(plain), jobs=1, chunk_rows=300)
    batch_mod.score_file(str(cohort_csv), str(packed), jobs=2, chunk_rows=300)
    data = packed.read_bytes()
    assert data[:2] == b"\x1f\x8b" and data[8] == 4  # XFL 4: the fastest compression levels
    assert data.count(b"\x1f\x8b\x08") > 2  # several members: chunks were compressed apart
    assert gzip.decompress(data) == plain.read_bytes()


@pytest.fixture(scope="module")
def cohort_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from calcinosis_classify.synthetic import generate_cohort

    path = tmp_path_factory.mktemp("cohort") / "cohort.csv"
    generate_cohort(1500, seed=3, missing_rate=0.2, si_fraction=0.3).to_csv(path, index=False)
    return path


# --------------------------------------------------------------------------- arguments and help


def test_argument_errors_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    """A wrong argument printed about 40 lines of usage; now one line that says where to look."""
    for argv in (["score"], ["score", "x.csv", "--jobs", "many"], ["explain", "--bogus"], ["nope"]):
        assert main(argv) == 2
        line = _one_line(capsys.readouterr().err)
        assert "error:" in line and "--help" in line


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    actions = [a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(actions[0].choices)


def test_every_option_has_help_with_its_default_and_score_help_fits_two_screens(
        capsys: pytest.CaptureFixture[str]) -> None:
    """Many options had no help (synth's had none at all), few said their default, and `score --help` ran
    to about 120 lines with one flag per threshold."""
    for verb, sub in _subparsers().items():
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction) or action.help == argparse.SUPPRESS:
                continue
            assert action.help, (verb, action.dest)
            if action.option_strings:
                assert "(default: " in action.help or "(required)" in action.help, (verb, action.dest)
    assert main(["score", "--help"]) == 0
    assert len(capsys.readouterr().out.splitlines()) <= 100


def test_option_names_agree_across_verbs() -> None:
    """`--json` was a switch in `explain` but took a file in `evaluate`; `--truth` defaulted to true_subtype
    in `train` and was required in `evaluate`."""
    subs = _subparsers()
    for verb, sub in subs.items():
        for action in sub._actions:
            if "--json" in action.option_strings:
                assert isinstance(action, argparse._StoreTrueAction), verb
    truth = {verb: next(a.default for a in sub._actions if "--truth" in a.option_strings)
             for verb, sub in subs.items() if any("--truth" in a.option_strings for a in sub._actions)}
    assert truth == {"train": "true_subtype", "evaluate": "true_subtype"}


def test_thresholds_are_listed_and_set_by_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The 33 threshold flags crowded `score --help`; they are now one repeatable --threshold NAME=VALUE,
    listed by `rules --thresholds` (the old flags still work, unlisted)."""
    from calcinosis_classify.knowledge.thresholds import threshold_table

    assert main(["rules", "--thresholds"]) == 0
    listed = capsys.readouterr().out
    assert all(row["name"] in listed for row in threshold_table())
    src = tmp_path / "in.csv"
    src.write_text("case_id,calcium,phosphate,age_years\na,10.0,6.0,50\n")
    new, old = tmp_path / "new.csv", tmp_path / "old.csv"
    assert main(["score", str(src), "-o", str(new), "-q", "--threshold", "caxp_metastatic=55"]) == 0
    assert main(["score", str(src), "-o", str(old), "-q", "--caxp-metastatic", "55"]) == 0
    assert new.read_bytes() == old.read_bytes() and b"MET-CAXP-70" in new.read_bytes()
    assert main(["score", "--help"]) == 0
    assert "--caxp-metastatic" not in capsys.readouterr().out


def test_training_on_few_cases_warns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Training on a handful of cases gave a model file and no word of caution."""
    assert main(["train", "--synthetic", "60", "-o", str(tmp_path / "m.ccm"), "--max-iter", "5", "-q"]) == 0
    assert "trained on only 60 labelled cases" in capsys.readouterr().err
