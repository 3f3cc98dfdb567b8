"""Data frames written as CSV through pyarrow (`synth`): they read back as the same frame, atomically."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from calcinosis_classify import _writing as writing_mod
from calcinosis_classify._writing import write_frame
from calcinosis_classify.cli import main
from calcinosis_classify.synthetic import generate_cohort


def _as_pandas_wrote_it(frame: pd.DataFrame) -> pd.DataFrame:
    """What ``pandas.read_csv`` makes of the frame written by ``DataFrame.to_csv`` (the previous writer)."""
    return pd.read_csv(io.StringIO(frame.to_csv(index=False)))


@pytest.fixture
def awkward() -> pd.DataFrame:
    n = 12
    rng = np.random.default_rng(5)
    return pd.DataFrame({
        "case_id": np.arange(n),
        "text": ['thigh, left', 'said "painful"', "two\nlines", "plain", None, "a;b", "x" * 40, "crlf\r\nend",
                 "ünïcode", ",", '"', "tab\there"],
        "kind": pd.Categorical(["a", "b", None, "a, b"] * 3),
        "whole": np.arange(n, dtype=float) * 3,          # no missing value: must read back as floats
        "flag": [1.0, 0.0, np.nan] * 4,
        "measure": rng.normal(size=n) * 10.0 ** rng.integers(-8, 20, size=n),
        "extreme": [1e16, 1e21, -0.0, 5e-324, 0.1 + 0.2, 1e-7, 2.5, -3.0, 1e15, 123456789.123, 7.6, 54.0],
        "atypical": [True, False] * 6,
        "empty_text": [None] * n,
    })


def test_synth_csv_reads_back_as_the_generated_cohort(tmp_path: Path) -> None:
    out = tmp_path / "cohort.csv"
    assert main(["synth", "-n", "3000", "--seed", "4", "--qualitative-rate", "0.3", "-o", str(out), "-q"]) == 0
    cohort = generate_cohort(3000, seed=4, qualitative_rate=0.3)
    got = pd.read_csv(out)
    pd.testing.assert_frame_equal(got, _as_pandas_wrote_it(cohort))
    pd.testing.assert_frame_equal(got, cohort, check_dtype=False)
    assert [p.name for p in tmp_path.iterdir()] == ["cohort.csv"]


@pytest.mark.parametrize("name", ["frame.csv", "frame.csv.gz"])
def test_awkward_frame_reads_back_the_same(tmp_path: Path, awkward: pd.DataFrame, name: str) -> None:
    """Quotes, delimiters and line breaks in text, missing values, categorical and boolean columns, whole
    floats without a missing value and extreme floats all read back as ``to_csv`` output did."""
    out = tmp_path / name
    write_frame(awkward, str(out))
    if name.endswith(".gz"):
        assert gzip.decompress(out.read_bytes()).startswith(b"case_id,text,")
    got = pd.read_csv(out)
    pd.testing.assert_frame_equal(got, _as_pandas_wrote_it(awkward))
    assert got["whole"].dtype == np.float64 and got["atypical"].dtype == bool
    np.testing.assert_array_equal(got["extreme"].to_numpy(), awkward["extreme"].to_numpy())
    assert got["text"].tolist()[:4] == awkward["text"].tolist()[:4]


def test_standard_output_gets_the_same_bytes(tmp_path: Path, awkward: pd.DataFrame,
                                             capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    write_frame(awkward, str(tmp_path / "f.csv"))
    write_frame(awkward, "-")
    assert capsysbinary.readouterr().out == (tmp_path / "f.csv").read_bytes()


def test_large_frames_are_written_in_slices_with_one_header(tmp_path: Path, awkward: pd.DataFrame,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writing_mod, "_WRITE_ROWS", 5)
    write_frame(awkward, str(tmp_path / "f.csv"))
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "f.csv"), _as_pandas_wrote_it(awkward))


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path, awkward: pd.DataFrame,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "f.csv"
    out.write_text("old\n")
    calls = []

    def fail_on_second(table, delimiter=","):  # type: ignore[no-untyped-def]
        calls.append(table.num_rows)
        if len(calls) == 2:
            raise OSError("disk full")
        return b"row\n"

    monkeypatch.setattr(writing_mod, "_WRITE_ROWS", 5)
    monkeypatch.setattr(writing_mod, "csv_rows", fail_on_second)
    with pytest.raises(OSError, match="disk full"):
        write_frame(awkward, str(out))
    assert out.read_text() == "old\n" and [p.name for p in tmp_path.iterdir()] == ["f.csv"]


def test_parquet_output_is_unchanged(tmp_path: Path, awkward: pd.DataFrame) -> None:
    write_frame(awkward, str(tmp_path / "f.parquet"))
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "f.parquet"), awkward)


def test_regression_parquet_input_with_a_missing_text_cell_scores(tmp_path: Path) -> None:
    """A Parquet input whose text column held a null and, elsewhere, a cell needing quotes crashed the CSV
    encoder (a null in the needs-quoting mask made it an object array)."""
    src = tmp_path / "in.parquet"
    pd.DataFrame({"case_id": ["a", "b", "c"], "lesion_site": ["thigh, left", None, "shin"],
                  "calcium": [9.5, 10.0, None]}).to_parquet(src)
    out = tmp_path / "out.csv"
    assert main(["score", str(src), "-o", str(out), "-q"]) == 0
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert got["lesion_site"].tolist() == ["thigh, left", "", "shin"] and len(got) == 3
