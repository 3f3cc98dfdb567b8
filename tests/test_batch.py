"""Batch scoring from the command line: streaming, formats, errors, atomic output, Dask."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from calcinosis_classify import OUTPUT_COLUMNS, score
from calcinosis_classify import _reading as reading
from calcinosis_classify import _writing as writing
from calcinosis_classify import batch as batch_mod
from calcinosis_classify.assessment import OUTPUT_DTYPES
from calcinosis_classify.cli import main
from calcinosis_classify.synthetic import generate_cohort

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "fixtures" / "examples.csv"
GOLDEN = ROOT / "fixtures" / "examples_scored.csv"
FLOAT_COLUMNS = [c for c, d in OUTPUT_DTYPES.items() if d == "float64"]


def read_text_csv(path: Path | str) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def assert_matches_in_memory(written: pd.DataFrame, source: pd.DataFrame, prefix: str = "") -> None:
    """A scored file read back as text equals score() of the same input in memory."""
    expected = score(source, prefix=prefix)
    assert list(written.columns) == list(expected.columns)
    assert len(written) == len(expected)
    for column in source.columns:  # input columns: the exact text of every cell
        assert written[column].tolist() == source[column].tolist(), column
    for name in OUTPUT_COLUMNS:
        got, want = written[prefix + name], expected[prefix + name]
        if name in FLOAT_COLUMNS:
            np.testing.assert_allclose(pd.to_numeric(got).to_numpy(dtype=float),
                                       want.to_numpy(dtype=float), equal_nan=True, err_msg=name)
        else:
            assert got.tolist() == want.fillna("").tolist(), name


@pytest.fixture(scope="module")
def cohort_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A messy synthetic extract: SI rows, unit columns, missing and qualitative values."""
    cohort = generate_cohort(1500, seed=11, missing_rate=0.2, qualitative_rate=0.1, si_fraction=0.3,
                             atypical_rate=0.1)
    path = tmp_path_factory.mktemp("cohort") / "cohort.csv"
    cohort.to_csv(path, index=False)
    return path


def test_golden_output_for_the_bundled_examples(tmp_path: Path) -> None:
    """Regenerate after a deliberate rule change with
    ``calcinosis-classify score fixtures/examples.csv -o fixtures/examples_scored.csv``."""
    out = tmp_path / "scored.csv"
    assert main(["score", str(EXAMPLES), "-o", str(out), "-q"]) == 0
    assert out.read_bytes() == GOLDEN.read_bytes()


def test_file_equals_in_memory_across_chunks_and_workers(tmp_path: Path, cohort_csv: Path) -> None:
    out = tmp_path / "scored.csv"
    code = main(["score", str(cohort_csv), "-o", str(out), "-q", "--chunk-rows", "400", "--jobs", "2"])
    assert code in (0, 1)
    assert_matches_in_memory(read_text_csv(out), read_text_csv(cohort_csv))


def test_worker_processes_write_the_same_bytes_and_leave_no_spool(tmp_path: Path, cohort_csv: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks travel to and from worker processes through spool files; the output is byte-identical to an
    in-process run and the spool is gone afterwards."""
    monkeypatch.setattr(batch_mod, "_PARALLEL_MIN_BYTES", 0)  # the fixture is small: use workers anyway
    spools: list[str] = []
    make = batch_mod._spool_dir

    def recorded() -> object:
        made = make()
        spools.append(made.name)
        return made

    monkeypatch.setattr(batch_mod, "_spool_dir", recorded)
    one, many = tmp_path / "one.csv", tmp_path / "many.csv"
    batch_mod.score_file(str(cohort_csv), str(one), jobs=1, chunk_rows=300)
    batch_mod.score_file(str(cohort_csv), str(many), jobs=2, chunk_rows=300)
    assert len(spools) == 1
    assert many.read_bytes() == one.read_bytes()
    assert not Path(spools[0]).exists()


def _unquoted_cohort(path: Path, newline: str = "\n", blank_lines: bool = False, last_newline: bool = True) -> None:
    """A cohort CSV (free text with commas, so quoted cells) that worker processes read as byte ranges;
    optionally with CRLF ends, blank lines, no final newline."""
    cohort = generate_cohort(900, seed=5, missing_rate=0.2, qualitative_rate=0.1, si_fraction=0.3,
                             atypical_rate=0.1)
    cohort = cohort.astype(object)
    cohort.loc[::37, "calcium"] = "abc"  # data problems for the report
    cohort.loc[5::41, "dialysis"] = "maybe"
    text = cohort.to_csv(index=False, lineterminator=newline)
    assert '"' in text
    if blank_lines:
        lines = text.split(newline)
        text = newline.join(line + (newline if i % 97 == 5 else "") for i, line in enumerate(lines))
    path.write_bytes((text if last_newline else text.rstrip(newline)).encode())


@pytest.mark.parametrize("newline, blank_lines, last_newline", [
    ("\n", False, True), ("\r\n", False, False), ("\n", True, True)])
def test_workers_reading_byte_ranges_write_the_same_bytes_and_report(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, newline: str, blank_lines: bool, last_newline: bool) -> None:
    """Worker processes parse byte ranges of a plain CSV themselves: same output bytes and same report
    (rows numbered in the whole input) as one in-process pass."""
    monkeypatch.setattr(batch_mod, "_PARALLEL_MIN_BYTES", 0)
    src = tmp_path / "plain.csv"
    _unquoted_cohort(src, newline, blank_lines, last_newline)
    plan = reading.plan_csv(str(src), None)
    ranges = list(reading.byte_ranges(str(src), plan, 100, "plain.csv", reading.BadRows(), lambda pos: None))
    assert len(ranges) > 5 and all(isinstance(r, reading.ByteRange) for r in ranges)
    assert ranges[0].start == src.read_bytes().index(b"\n") + 1 and ranges[-1].stop == src.stat().st_size
    assert all(a.stop == b.start for a, b in zip(ranges, ranges[1:], strict=False))
    outputs = {}
    for jobs in (1, 2):
        out, rep = tmp_path / f"out{jobs}.csv", tmp_path / f"rep{jobs}.csv"
        summary = batch_mod.score_file(str(src), str(out), jobs=jobs, chunk_rows=100, report=str(rep))
        outputs[jobs] = (out.read_bytes(), rep.read_bytes(), summary.rows, summary.problems)
    assert outputs[1] == outputs[2]
    assert outputs[2][2] == 900 and outputs[2][3] > 0


def _one_pass_and_workers(src: Path, tmp_path: Path, chunk_rows: int) -> bytes:
    """Score ``src`` in one in-process pass and with two worker processes; both outputs must be the same
    bytes (returned)."""
    outputs = []
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}.csv"
        batch_mod.score_file(str(src), str(out), jobs=jobs, chunk_rows=chunk_rows)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    return outputs[0]


def test_byte_ranges_stop_where_a_quoted_cell_holds_a_line_break(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Quoted cells on one line split like any other; from the first range with a quoted line break the
    rest of the file is parsed by the reading process. Output equals an in-process run either way."""
    monkeypatch.setattr(batch_mod, "_PARALLEL_MIN_BYTES", 0)
    lines = [f'{i},9.5,"hard, {i}"' for i in range(300)]
    lines[200] = '200,9.5,"hard,\nwith a line break"'
    src = tmp_path / "quoted.csv"
    src.write_text("case_id,calcium,lesion_description\n" + "\n".join(lines) + "\n")
    plan = reading.plan_csv(str(src), None)
    chunks = list(reading.byte_ranges(str(src), plan, 20, src.name, reading.BadRows(), lambda pos: None))
    kinds = [isinstance(c, reading.ByteRange) for c in chunks]
    assert kinds[0] and not kinds[-1] and kinds == sorted(kinds, reverse=True)
    assert sum(c.num_rows for c in chunks if not isinstance(c, reading.ByteRange)) < 120
    scored = _one_pass_and_workers(src, tmp_path, chunk_rows=20)
    assert b'"hard,\nwith a line break"' in scored and b'\n5,9.5,"hard, 5",' in scored


def test_files_that_cannot_be_split_are_parsed_by_the_reader(tmp_path: Path) -> None:
    gz = tmp_path / "plain.csv.gz"
    gz.write_bytes(gzip.compress(b"case_id,calcium\n1,9.5\n"))
    header_only = tmp_path / "header.csv"
    header_only.write_text("case_id,calcium")
    assert reading.byte_ranges(str(gz), reading.plan_csv(str(gz), None), 10, gz.name,
                                  reading.BadRows(), lambda pos: None) is None
    assert list(reading.byte_ranges(str(header_only), reading.plan_csv(str(header_only), None), 10,
                                       header_only.name, reading.BadRows(), lambda pos: None)) == []


def test_a_ragged_row_read_by_a_worker_is_a_one_line_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(batch_mod, "_PARALLEL_MIN_BYTES", 0)
    src = tmp_path / "in.csv"
    rows = [f"{i},9.5,yes" for i in range(400)]
    rows[250] += ",extra"
    src.write_text("case_id,calcium,dialysis\n" + "\n".join(rows) + "\n")
    assert main(["score", str(src), "-o", str(tmp_path / "o.csv"), "--jobs", "2", "--chunk-rows", "50"]) == 2
    err = capsys.readouterr().err
    assert "line 252 has 4 fields but the header has 3" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_chunking_does_not_change_results(tmp_path: Path, cohort_csv: Path) -> None:
    one, many = tmp_path / "one.csv", tmp_path / "many.csv"
    batch_mod.score_file(str(cohort_csv), str(one), jobs=1)
    batch_mod.score_file(str(cohort_csv), str(many), jobs=1, chunk_rows=97)
    pd.testing.assert_frame_equal(read_text_csv(one), read_text_csv(many))


def test_report_lists_every_problem_with_row_and_case_id(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("case_id,calcium,dialysis,calcuim\na,9.5,yes,1\nb,abc,maybe,2\nc,-4,no,3\n")
    report = tmp_path / "report.csv"
    assert main(["score", str(src), "-o", str(tmp_path / "o.csv"), "--report", str(report), "-q",
                 "--chunk-rows", "1"]) == 1
    rep = read_text_csv(report)
    assert list(rep.columns[:5]) == ["input_row", "case_id", "column", "value", "problem"]
    whole, cells = rep[rep["input_row"] == ""], rep[rep["input_row"] != ""]
    assert whole["code"].tolist() == ["unknown_column"] and "did you mean 'calcium'" in whole["problem"].iloc[0]
    assert cells[["input_row", "case_id", "column", "value", "code"]].values.tolist() == [
        ["2", "b", "calcium", "abc", "not_a_number"], ["2", "b", "dialysis", "maybe", "unparseable_flag"],
        ["3", "c", "calcium", "-4", "negative"]]


@pytest.mark.parametrize("content, message", [
    (None, "input file not found"),
    ("", "input file is empty"),
    ("\n\n", "no header row"),
    ("foo,bar\n1,2\n", "no recognisable input column"),
    ("calcuim,phosphorus_level\n1,2\n", "closest matches: 'calcuim' -> 'calcium'"),
    ("case_id,calcium\n1,9.5\n2,9.6,extra\n3,9.0\n", "line 3 has 3 fields but the header has 2"),
    ("case_id,calcium,calcium\n1,9.5,9.4\n", "duplicate column names"),
    ("case_id,subtype,calcium\n1,x,9.5\n", "--prefix"),
])
def test_clear_one_line_errors_and_no_output(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             content: str | None, message: str) -> None:
    src = tmp_path / "in.csv"
    if content is not None:
        src.write_text(content)
    assert main(["score", str(src), "-o", str(tmp_path / "o.csv")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == (["in.csv"] if content is not None else [])


def test_header_only_gives_a_valid_header_only_output(tmp_path: Path) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "o.csv"
    src.write_text("case_id,calcium,phosphate\n")
    assert main(["score", str(src), "-o", str(out), "-q"]) == 0
    assert out.read_text().strip() == ",".join(["case_id", "calcium", "phosphate", *OUTPUT_COLUMNS])
    assert main(["score", str(src), "-o", str(tmp_path / "o.parquet"), "-q"]) == 0
    back = pd.read_parquet(tmp_path / "o.parquet")
    assert len(back) == 0 and list(back.columns) == ["case_id", "calcium", "phosphate", *OUTPUT_COLUMNS]


def test_bom_semicolons_and_latin1_are_read_with_a_note(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    bom = tmp_path / "bom.csv"
    bom.write_bytes("\ufeffcase_id;calcium;lesion_site\n1;9,5;thumb\n".encode())
    out = tmp_path / "o.csv"
    assert main(["score", str(bom), "-o", str(out), "-q"]) == 0
    assert pd.read_csv(out, sep=";", dtype=str)["case_id"].tolist() == ["1"]  # the input's delimiter
    latin = tmp_path / "latin.csv"
    latin.write_bytes("case_id,lesion_site,calcium\n1,pi\xe9d,9.5\n".encode("latin-1"))
    assert main(["score", str(latin), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "not valid UTF-8" in err and "read it as Latin-1" in err
    assert read_text_csv(out)["lesion_site"].tolist() == ["pi\xe9d"]


def test_cells_needing_quotes_round_trip(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    frame = pd.DataFrame({"case_id": ["a", "b"], "note": ['said "hi", left', "two\nlines"],
                          "calcium": ["9.50", "11.0"]})
    frame.to_csv(src, index=False)
    out = tmp_path / "o.csv"
    assert main(["score", str(src), "-o", str(out), "-q"]) == 0
    assert_matches_in_memory(read_text_csv(out), read_text_csv(src))


def test_parquet_and_gzip_round_trips(tmp_path: Path, cohort_csv: Path) -> None:
    source = read_text_csv(cohort_csv)
    pq_in = tmp_path / "in.parquet"
    source.to_parquet(pq_in, index=False)
    pq_out, gz_out = tmp_path / "out.parquet", tmp_path / "out.csv.gz"
    assert main(["score", str(pq_in), "-o", str(pq_out), "-q", "--chunk-rows", "500"]) in (0, 1)
    back = pd.read_parquet(pq_out)
    expected = score(source)
    pd.testing.assert_frame_equal(back[source.columns], source, check_dtype=False)
    assert back["subtype"].tolist() == expected["subtype"].tolist()
    np.testing.assert_allclose(back["ca_x_p"].to_numpy(dtype=float), expected["ca_x_p"].to_numpy(dtype=float),
                               equal_nan=True)
    gz_in = tmp_path / "in.csv.gz"
    gz_in.write_bytes(gzip.compress(cohort_csv.read_bytes()))
    assert main(["score", str(gz_in), "-o", str(gz_out), "-q"]) in (0, 1)
    assert_matches_in_memory(read_text_csv(gz_out), source)


def test_interrupted_run_leaves_no_output(tmp_path: Path, cohort_csv: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    real = batch_mod._score_chunk
    calls = {"n": 0}

    def interrupted(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(batch_mod, "_score_chunk", interrupted)
    out, report = tmp_path / "o.csv", tmp_path / "r.csv"
    assert main(["score", str(cohort_csv), "-o", str(out), "--report", str(report), "-q", "--jobs", "1",
                 "--chunk-rows", "200"]) == 130
    assert calls["n"] == 3
    assert list(tmp_path.iterdir()) == []


def test_existing_output_survives_a_failed_run(tmp_path: Path) -> None:
    out = tmp_path / "o.csv"
    out.write_text("previous results\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("case_id,calcium\n1,9\n2,9,9\n")
    assert main(["score", str(bad), "-o", str(out), "-q"]) == 2
    assert out.read_text() == "previous results\n"


def test_thresholds_from_flags_and_file(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("case_id,calcium,phosphate,age_years\na,10.0,6.0,50\n")
    default, flag, from_file = (tmp_path / n for n in ("d.csv", "f.csv", "j.csv"))
    settings = tmp_path / "th.json"
    settings.write_text('{"caxp_metastatic": 55, "caxp_elevated": 50}')
    assert main(["score", str(src), "-o", str(default), "-q"]) == 0
    assert main(["score", str(src), "-o", str(flag), "-q", "--caxp-metastatic", "55", "--caxp-elevated", "50"]) == 0
    assert main(["score", str(src), "-o", str(from_file), "-q", "--thresholds", str(settings)]) == 0
    assert "MET-CAXP-70" not in read_text_csv(default)["evidence"].iloc[0]
    assert "MET-CAXP-70" in read_text_csv(flag)["evidence"].iloc[0]
    assert read_text_csv(flag).equals(read_text_csv(from_file))
    assert main(["score", str(src), "-o", str(flag), "-q", "--caxp-metastatic", "5"]) == 2


def test_summary_on_stderr_and_no_progress_bar_without_a_terminal(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", str(EXAMPLES), "-o", str(tmp_path / "o.csv")]) == 0
    err = capsys.readouterr().err
    assert f"scored {len(pd.read_csv(EXAMPLES))} rows" in err and "calciphylaxis" in err and "rows with data warnings: 0" in err
    assert "\r" not in err and "it/s" not in err


def test_declared_output_dtypes_match_score() -> None:
    """Every output column has its declared dtype, and the input columns come first, unchanged."""
    source = pd.read_csv(EXAMPLES, dtype=str, keep_default_na=False)
    out = score(source)
    for name, dtype in OUTPUT_DTYPES.items():
        assert str(out[name].dtype) == dtype, name
    assert list(out.columns) == [*source.columns, *OUTPUT_COLUMNS]
    pd.testing.assert_frame_equal(out[source.columns], source)


def test_dask_adapter_equals_score() -> None:
    dd = pytest.importorskip("dask.dataframe")
    import dask

    frame = generate_cohort(600, seed=5, missing_rate=0.2, si_fraction=0.2).drop(
        columns=["true_subtype", "presentation", "generator_version", "seed", "is_atypical"])
    expected = score(frame, thresholds={"caxp_metastatic": 60})
    # Exactly equal when Dask keeps pandas' own string dtype...
    with dask.config.set({"scheduler": "synchronous", "dataframe.convert-string": False}):
        lazy = batch_mod.score_dask(dd.from_pandas(frame, npartitions=3), thresholds={"caxp_metastatic": 60})
        assert list(lazy.columns) == list(frame.columns) + list(OUTPUT_COLUMNS)
        pd.testing.assert_frame_equal(lazy.compute(), expected)
    # ...and equal in value with Dask's default pyarrow strings.
    with dask.config.set(scheduler="synchronous"):
        got = batch_mod.score_dask(dd.from_pandas(frame, npartitions=4),
                                   thresholds={"caxp_metastatic": 60}).compute()
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


@pytest.fixture(scope="module")
def model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from calcinosis_classify.model import train
    from calcinosis_classify.persistence import save_model

    path = tmp_path_factory.mktemp("model") / "model.ccm"
    save_model(train(generate_cohort(2000, seed=21), max_iter=20), path)
    return path


def test_model_columns_from_the_command_line_equal_score_with_model(tmp_path: Path, cohort_csv: Path,
                                                                    model_file: Path) -> None:
    from calcinosis_classify.persistence import load_model

    out = tmp_path / "scored.csv"
    assert main(["score", str(cohort_csv), "-o", str(out), "-q", "--model", str(model_file),
                 "--chunk-rows", "500", "--jobs", "2"]) in (0, 1)
    written = read_text_csv(out)
    expected = score(read_text_csv(cohort_csv), model=load_model(model_file))
    assert list(written.columns) == list(expected.columns)
    assert {"model_subtype", "agreement", "hybrid_subtype", "decided_by"} <= set(written.columns)
    for name in ("subtype", "model_subtype", "hybrid_subtype", "decided_by", "hybrid_urgency"):
        assert written[name].tolist() == expected[name].tolist(), name
    assert written["agreement"].str.lower().tolist() == expected["agreement"].astype(str).str.lower().tolist()
    np.testing.assert_allclose(written["model_proba_calciphylaxis"].astype(float),
                               expected["model_proba_calciphylaxis"].astype(float))


def test_a_tampered_model_is_refused_before_any_output(tmp_path: Path, model_file: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.ccm"
    data = bytearray(model_file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    bad.write_bytes(bytes(data))
    out = tmp_path / "o.csv"
    assert main(["score", str(EXAMPLES), "-o", str(out), "--model", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "refusing model file" in err and "Traceback" not in err
    assert not out.exists()
    assert main(["score", str(EXAMPLES), "-o", str(out), "--model", str(tmp_path / "none.ccm")]) == 2


def test_regression_outputs_get_ordinary_file_permissions(tmp_path: Path) -> None:
    """Atomic writes went through mkstemp, which creates owner-only files: scored.csv came out 0600."""
    import os
    import stat

    mask = os.umask(0o022)
    try:
        out, report = tmp_path / "o.csv", tmp_path / "r.csv"
        assert main(["score", str(EXAMPLES), "-o", str(out), "--report", str(report), "-q"]) == 0
        assert main(["synth", "-n", "5", "-o", str(tmp_path / "s.csv"), "-q"]) == 0
        for path in (out, report, tmp_path / "s.csv"):
            assert stat.S_IMODE(path.stat().st_mode) == 0o644, path.name
    finally:
        os.umask(mask)


def test_csv_quotes_exactly_the_cells_that_need_it_whatever_their_arrow_type() -> None:
    """Text, large text and dictionary-encoded text (as Parquet files hold it) are quoted only where a cell
    holds the delimiter, a quote or a line break; numbers render as pyarrow renders them."""
    import pyarrow as pa

    cells = ["plain", 'say "hi"', "a, b", "two\nlines", ""]
    table = pa.table({
        "text": pa.array(cells, pa.string()), "large": pa.array(cells, pa.large_string()),
        "coded": pa.array(cells).dictionary_encode(), "number": pa.array([1.5, None, 3.0, 4.25, 0.0]),
    })
    text = writing.csv_rows(table).decode()
    assert text == ('plain,plain,plain,1.5\n'
                    '"say ""hi""","say ""hi""","say ""hi""",\n'
                    '"a, b","a, b","a, b",3\n'
                    '"two\nlines","two\nlines","two\nlines",4.25\n'
                    ',,,0\n')


def test_semicolon_latin1_file_in_worker_processes_equals_one_pass(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Byte ranges of a file that is neither comma-separated nor UTF-8: the workers parse it with the
    sniffed delimiter and encoding and write the usual comma-separated UTF-8 output."""
    monkeypatch.setattr(batch_mod, "_PARALLEL_MIN_BYTES", 0)
    cohort = generate_cohort(400, seed=8, missing_rate=0.2, qualitative_rate=0.1, si_fraction=0.3)
    cohort["lesion_site"] = cohort["lesion_site"].fillna("") + " é"
    src = tmp_path / "semi.csv"
    src.write_bytes(cohort.to_csv(index=False, sep=";").encode("latin-1"))
    assert " é".encode() in _one_pass_and_workers(src, tmp_path, chunk_rows=50)  # Latin-1 in, UTF-8 out


def test_worker_output_to_a_pipe(tmp_path: Path) -> None:
    """A file large enough for worker processes, scored to standard output (a pipe): the encoded chunks are
    copied into it, in order, whole."""
    src = tmp_path / "big.csv"
    cohort = generate_cohort(20_000, seed=4, missing_rate=0.2, qualitative_rate=0.05, si_fraction=0.3)
    cohort.drop(columns=["true_subtype", "presentation", "generator_version", "seed", "is_atypical"]).to_csv(
        src, index=False)
    assert src.stat().st_size >= batch_mod._PARALLEL_MIN_BYTES
    piped = subprocess.run([sys.executable, "-m", "calcinosis_classify", "score", str(src), "-q", "--jobs", "2",
                            "--chunk-rows", "3000"], capture_output=True, timeout=300)
    assert piped.returncode in (0, 1), piped.stderr
    to_file = tmp_path / "out.csv"
    batch_mod.score_file(str(src), str(to_file), jobs=1, chunk_rows=3000)
    assert piped.stdout == to_file.read_bytes()
