"""Command line (in-process and as a subprocess), README and CI consistency."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from calcinosis_classify import score
from calcinosis_classify.cli import main
from calcinosis_classify.schema import input_table_markdown

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "fixtures" / "examples.csv"


def test_score_writes_file_equal_to_in_memory(tmp_path: Path) -> None:
    out = tmp_path / "scored.csv"
    assert main(["score", str(EXAMPLES), "-o", str(out), "-q"]) == 0
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    expected = score(pd.read_csv(EXAMPLES, dtype=str, keep_default_na=False))
    assert got["subtype"].tolist() == expected["subtype"].tolist()
    assert got["evidence"].tolist() == expected["evidence"].tolist()
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind


def test_score_exit_1_and_report_on_data_problems(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("case_id,calcium,dialysis\na,9.5,yes\nb,abc,maybe\n")
    report = tmp_path / "report.csv"
    assert main(["score", str(src), "-o", str(tmp_path / "o.csv"), "--report", str(report), "-q"]) == 1
    rep = pd.read_csv(report)
    assert set(rep["code"]) == {"not_a_number", "unparseable_flag"}
    assert rep["input_row"].tolist() == [2, 2] and rep["case_id"].tolist() == ["b", "b"]


def test_explain_and_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(EXAMPLES), "--case-id", "C"]) == 0
    text = capsys.readouterr().out
    assert "calciphylaxis" in text and "not a diagnosis" in text
    assert main(["explain", "--set", "age_years=70", "--set", "calcium=13.2", "--set", "pth=8", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["subtype"] == "metastatic"
    assert main(["rules", "--format", "json"]) == 0
    rules = json.loads(capsys.readouterr().out)
    assert all(r["refs"] for r in rules)
    kinds = {r["kind"] for r in rules}
    assert kinds == {"composite", "rule", "override", "coexistence", "risk_factor", "urgency", "next_step", "management"}
    assert main(["rules", "--format", "md"]) == 0
    md = capsys.readouterr().out
    assert "### Overrides (§6.2)" in md and "| `caxp_metastatic` | 70 |" in md
    assert "### Composite findings" in md and "`uremic_setting`" in md
    assert main(["rules", "--kind", "field", "--format", "json"]) == 0
    fields = json.loads(capsys.readouterr().out)
    assert {r["kind"] for r in fields} == {"field"} and "calcium" in {r["id"] for r in fields}


def test_subprocess_stdin_to_stdout() -> None:
    proc = subprocess.run([sys.executable, "-m", "calcinosis_classify", "score", "-", "-q"],
                          input=EXAMPLES.read_text(), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0].endswith("evidence,missing,warnings")
    assert len(proc.stdout.splitlines()) > 10


def test_readme_input_table_is_generated_from_schema() -> None:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- input-table:start -->\n")[1].split("\n<!-- input-table:end -->")[0]
    assert block == input_table_markdown(contract_only=True)


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start")[1].split("##")[0]
    commands = re.findall(r"```bash\n(.+?)\n```", quick)
    assert len(commands) == 2
    test_cmd = commands[1].split("&&")[-1].strip().replace(".venv/bin/", "")
    ci = (ROOT / ".ci" / "run").read_text()
    assert test_cmd in ci.replace(".venv/bin/", "")


def test_synth_command_writes_a_seeded_cohort(tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    assert main(["synth", "-n", "200", "--seed", "3", "-o", str(a), "-q"]) == 0
    assert main(["synth", "-n", "200", "--seed", "3", "-o", str(b), "-q"]) == 0
    assert a.read_bytes() == b.read_bytes()
    cohort = pd.read_csv(a)
    assert len(cohort) == 200 and {"true_subtype", "presentation"} <= set(cohort.columns)
    assert main(["synth", "-n", "10", "--missing-rate", "1.5", "-o", str(tmp_path / "c.csv")]) == 2


def test_command_line_loads_numpy_and_pandas_only_after_starting_workers() -> None:
    """The package and its command-line module import nothing heavy, so `score` can start its worker
    processes before this process loads numpy, pandas and pyarrow; names still resolve on first use."""
    probe = ("import sys, calcinosis_classify, calcinosis_classify.cli; "
             "heavy = [m for m in ('numpy', 'pandas', 'pyarrow', 'sklearn') if m in sys.modules]; "
             "from calcinosis_classify import classify, FIELDS; "
             "print(heavy, classify.__module__, len(FIELDS) > 0)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["[]", "calcinosis_classify.assessment", "True"]
