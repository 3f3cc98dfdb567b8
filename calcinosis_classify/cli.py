"""Command line: ``calcinosis-classify score|explain|rules|synth|train|evaluate``.

Thin by design: parse arguments, call the library, map outcomes to exit codes
(0 ok, 1 output written but data problems found, 2 usage error or unreadable
input). Messages go to stderr as one line, without a traceback.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from calcinosis_classify._atomic import atomic_path
from calcinosis_classify._version import __version__
from calcinosis_classify.errors import CalcinosisClassifyError, ColumnClashError
from calcinosis_classify.knowledge.thresholds import threshold_table

if TYPE_CHECKING:
    import pandas as pd

_THRESHOLD_NAMES = tuple(row["name"] for row in threshold_table())

__all__ = ["main"]

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2


class _UsageError(Exception):
    pass


def _read_table(path: str, sep: str | None) -> pd.DataFrame:
    """Read CSV/Parquet keeping every cell's text exactly as written."""
    import pandas as pd

    if path != "-" and not Path(path).exists():
        raise _UsageError(f"input file not found: {path}")
    if path.endswith(".parquet") or path.endswith(".pq"):
        try:
            return pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for unreadable files
            raise _UsageError(f"cannot read Parquet file {path}: {exc}") from None
    source: Any = io.BytesIO(sys.stdin.buffer.read()) if path == "-" else path
    if path != "-" and os.path.getsize(path) == 0:
        raise _UsageError(f"input file is empty: {path}")
    kwargs: dict[str, Any] = {"dtype": str, "keep_default_na": False, "na_filter": False}
    try:
        if sep is None:
            return pd.read_csv(source, sep=None, engine="python", encoding="utf-8-sig", **kwargs)
        return pd.read_csv(source, sep=sep, encoding="utf-8-sig", **kwargs)
    except UnicodeDecodeError:
        if path == "-":
            raise _UsageError("input is not UTF-8 text") from None
        frame = pd.read_csv(path, sep=sep, engine="python" if sep is None else "c", encoding="latin-1", **kwargs)
        print(f"calcinosis-classify: {path} is not valid UTF-8; read it as Latin-1", file=sys.stderr)
        return frame
    except pd.errors.EmptyDataError:
        raise _UsageError(f"input has no header row: {path}") from None
    except pd.errors.ParserError as exc:
        raise _UsageError(f"cannot parse {path} (ragged rows?): {str(exc).strip()}") from None


def _write_atomic(frame: pd.DataFrame, path: str) -> None:
    """Write to a temporary file beside the target, then rename: no half-written output."""
    if path == "-":
        frame.to_csv(sys.stdout, index=False)
        return
    suffix = Path(path).suffix
    with atomic_path(path) as tmp:
        if suffix in (".parquet", ".pq"):
            frame.to_parquet(tmp, index=False)
        else:
            frame.to_csv(tmp, index=False, compression="gzip" if suffix == ".gz" else None)


def _thresholds(args: argparse.Namespace) -> dict[str, float] | None:
    out: dict[str, float] = {}
    if getattr(args, "thresholds_file", None):
        try:
            loaded = json.loads(Path(args.thresholds_file).read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise _UsageError(f"cannot read thresholds file {args.thresholds_file}: {exc}") from None
        if not isinstance(loaded, dict) or not all(isinstance(v, (int, float)) for v in loaded.values()):
            raise _UsageError(f"thresholds file {args.thresholds_file} must hold a JSON object of numbers")
        out.update({str(k): float(v) for k, v in loaded.items()})
    for name in _THRESHOLD_NAMES:
        value = getattr(args, f"th_{name}", None)
        if value is not None:
            out[name] = value
    for item in args.threshold or ():
        name, _, value = item.partition("=")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise _UsageError(f"--threshold expects NAME=NUMBER, got {item!r}") from None
    return out or None


def _cmd_score(args: argparse.Namespace) -> int:
    from calcinosis_classify._workers import PARALLEL_MIN_BYTES, default_jobs, start_workers

    jobs = args.jobs if args.jobs is not None else default_jobs()
    if jobs > 1 and args.input != "-" and os.path.isfile(args.input) \
            and os.path.getsize(args.input) >= PARALLEL_MIN_BYTES:
        start_workers(jobs)  # they load the scorer while this process does
    from calcinosis_classify.batch import score_file

    if args.jobs is not None and args.jobs < 1:
        raise _UsageError(f"--jobs must be at least 1, got {args.jobs}")
    if args.chunk_rows is not None and args.chunk_rows < 1:
        raise _UsageError(f"--chunk-rows must be at least 1, got {args.chunk_rows}")
    if args.model is not None and not Path(args.model).is_file():
        raise _UsageError(f"model file not found: {args.model}")
    summary = score_file(args.input, args.output, units=args.units, thresholds=_thresholds(args),
                         strict_units=args.strict_units, prefix=args.prefix, sep=args.sep, report=args.report,
                         jobs=args.jobs, chunk_rows=args.chunk_rows, progress=False if args.quiet else None,
                         model=args.model)
    if not args.quiet:
        for note in summary.notes:
            print(f"calcinosis-classify: {note}", file=sys.stderr)
        print(summary.text(args.output), file=sys.stderr)
    return EXIT_DATA if summary.problems else EXIT_OK


def _parse_value(text: str) -> Any:
    try:
        return float(text)
    except ValueError:
        return text


def _json_cases(source: str) -> list[dict[str, Any]]:
    """The cases of ``--from-json``: one JSON object, or an array of objects."""
    try:
        loaded = json.loads(Path(source).read_text() if source != "-" else sys.stdin.read())
    except (OSError, json.JSONDecodeError) as exc:
        raise _UsageError(f"cannot read JSON case: {exc}") from None
    if isinstance(loaded, dict):
        return [loaded]
    if isinstance(loaded, list) and loaded and all(isinstance(c, dict) for c in loaded):
        return loaded
    got = "an empty array" if loaded == [] else f"a JSON {type(loaded).__name__}"
    raise _UsageError(f"--from-json expects a JSON object (one case) or an array of objects, got {got}")


def _cmd_explain(args: argparse.Namespace) -> int:
    from calcinosis_classify.assessment import classify

    case: dict[str, Any] = {}
    label = None
    if args.input:
        frame = _read_table(args.input, None)
        if args.case_id is not None:
            if "case_id" not in frame.columns:
                raise _UsageError("--case-id given but the input has no case_id column")
            hits = (frame["case_id"] == args.case_id).to_numpy().nonzero()[0]
            if not len(hits):
                raise _UsageError(f"no case_id {args.case_id!r} in {args.input}")
            position = int(hits[0])
        else:
            if not 1 <= args.row <= len(frame):
                raise _UsageError(f"--row must be between 1 and {len(frame)}, got {args.row}")
            position = args.row - 1
        row = frame.iloc[position]
        label = f"row {position + 1} of {args.input}"
        case.update({str(k): v for k, v in row.items() if v != ""})
    cases = [case]
    labels = [label or ""]
    if args.json_case:
        given = _json_cases(args.json_case)
        cases = [{**case, **c} for c in given]
        if len(given) > 1:
            source = "standard input" if args.json_case == "-" else args.json_case
            labels = [f"case {k} of {len(given)} in {source}" for k in range(1, len(given) + 1)]
    for item in args.set or ():
        name, sep, value = item.partition("=")
        if not sep:
            raise _UsageError(f"--set expects FIELD=VALUE, got {item!r}")
        for c in cases:
            c[name.strip()] = _parse_value(value.strip())
    if not any(cases):
        raise _UsageError("give the case with --set FIELD=VALUE, --from-json FILE, or INPUT with --row/--case-id")
    results = [classify(c, units=args.units, thresholds=_thresholds(args), strict_units=args.strict_units)
               for c in cases]
    if args.as_json:
        dicts = [r.to_dict() for r in results]
        print(json.dumps(dicts[0] if len(dicts) == 1 else dicts, indent=2, default=str))
    else:
        print("\n\n".join(r.explain(label=lab or None) for r, lab in zip(results, labels, strict=True)))
    return EXIT_OK


def _knowledge_rows() -> list[dict[str, Any]]:
    """Every knowledge-base item as one row: kind, id, subtype/level, points, condition, meaning, refs."""
    from calcinosis_classify import knowledge as kb

    rows: list[dict[str, Any]] = []
    for r in kb.RULES:
        rows.append({"kind": "rule", "id": r.id, "subtype": r.subtype, "points": r.points, "strength": r.strength,
                     "evidence": r.evidence, "condition": r.condition, "text": r.rationale, "refs": list(r.refs)})
    for o in kb.OVERRIDES:
        rows.append({"kind": "override", "id": o.id, "subtype": o.subtype, "action": o.action,
                     "condition": o.condition, "text": o.rationale, "refs": list(o.refs)})
    for c in kb.COEXISTENCE:
        rows.append({"kind": "coexistence", "id": c.id, "subtype": c.primary, "contributing": c.contributing,
                     "condition": c.condition, "text": c.rationale, "refs": list(c.refs)})
    for f in kb.RISK_FACTORS:
        rows.append({"kind": "risk_factor", "id": f.id, "level": f.level, "condition": f.condition,
                     "text": f.rationale, "refs": list(f.refs)})
    for u in kb.URGENCY:
        rows.append({"kind": "urgency", "id": u.id, "level": u.level, "condition": u.condition,
                     "text": u.rationale, "refs": list(u.refs)})
    for x in kb.NEXT_STEPS:
        rows.append({"kind": "next_step", "id": x.id, "condition": x.condition, "text": x.text,
                     "refs": list(x.refs)})
    return rows


_RULE_SECTIONS = {
    "rule": "Evidence rules (clinical-spec §6.3; strong ±3, moderate ±2, weak ±1, modifiers §6.3)",
    "override": "Overrides (§6.2)", "coexistence": "Co-existence (§6.5)",
    "risk_factor": "Calciphylaxis risk factors (§4.2, §4.4)", "urgency": "Urgency triggers (§7.2)",
    "next_step": "Next steps (§7.1)",
}


def _cmd_rules(args: argparse.Namespace) -> int:
    rows = _knowledge_rows()
    if args.kind:
        rows = [r for r in rows if r["kind"] == args.kind]
    if args.format == "json":
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return EXIT_OK
    if args.format == "md":
        for kind, title in _RULE_SECTIONS.items():
            section = [r for r in rows if r["kind"] == kind]
            if not section:
                continue
            print(f"### {title}\n")
            label = {"rule": "points", "override": "action", "coexistence": "contributing",
                     "risk_factor": "level", "urgency": "level"}.get(kind)
            head = "| id | subtype |" if kind in ("rule", "override", "coexistence") else "| id |"
            print(head + (f" {label} |" if label else "") + " condition | meaning | refs |")
            print("|---" * (head.count("|") - 1 + (1 if label else 0) + 3) + "|")
            for r in section:
                cells = [r["id"]] + ([r["subtype"]] if "subtype" in r else [])
                if label:
                    cells.append(f"{r[label]:+d}" if label == "points" else str(r[label]))
                refs = "".join(f"[{x}]" for x in r["refs"])
                cells += [f"`{r['condition']}`", r["text"].replace("|", "\\|"), refs]
                print("| " + " | ".join(cells) + " |")
            print()
        print("### Thresholds\n")
        print("| name | default | unit | meaning | refs |")
        print("|---|---|---|---|---|")
        for t in threshold_table():
            print(f"| `{t['name']}` | {t['value']:g} | {t['unit']} | {t['doc']} | "
                  f"{''.join(f'[{x}]' for x in t['refs'])} |")
        return EXIT_OK
    width = max(len(r["id"]) for r in rows) if rows else 0
    for r in rows:
        tag = (f"{r['points']:+d}" if "points" in r else r.get("level") or r.get("action") or "")
        who = r.get("subtype", "")
        print(f"{r['kind']:<12} {r['id']:<{width}}  {who:<13} {tag:<18} {r['text']}")
    return EXIT_OK


def _cmd_synth(args: argparse.Namespace) -> int:
    from calcinosis_classify.synthetic import generate_cohort

    try:
        cohort = generate_cohort(args.n, seed=args.seed, missing_rate=args.missing_rate,
                                 qualitative_rate=args.qualitative_rate, si_fraction=args.si_fraction,
                                 atypical_rate=args.atypical_rate, label_noise=args.label_noise)
    except ValueError as exc:
        raise _UsageError(str(exc)) from None
    _write_atomic(cohort, args.output)
    if not args.quiet:
        print(f"wrote {len(cohort)} synthetic cases -> {args.output}", file=sys.stderr)
    return EXIT_OK


def _cmd_train(args: argparse.Namespace) -> int:
    import time

    from calcinosis_classify.model import train
    from calcinosis_classify.persistence import save_model

    if (args.input is None) == (args.synthetic is None):
        raise _UsageError("give either a COHORT file or --synthetic N (not both)")
    if args.synthetic is not None:
        from calcinosis_classify.synthetic import generate_cohort

        try:
            cohort = generate_cohort(args.synthetic, seed=args.seed, atypical_rate=args.atypical_rate,
                                     missing_rate=args.missing_rate)
        except ValueError as exc:
            raise _UsageError(str(exc)) from None
        source = (f"synthetic: generate_cohort(n={args.synthetic}, seed={args.seed}, "
                  f"atypical_rate={args.atypical_rate}, missing_rate={args.missing_rate})")
    else:
        cohort = _read_table(args.input, args.sep)
        source = args.input
    start = time.perf_counter()
    model = train(cohort, args.truth, consult=args.consult, random_state=args.random_state,
                  max_iter=args.max_iter, units=args.units, thresholds=_thresholds(args),
                  strict_units=args.strict_units, source=source)
    seconds = time.perf_counter() - start
    save_model(model, args.output, provenance={"training_seconds": round(seconds, 2)})
    skipped = int(model.training_provenance_.get("n_skipped", 0))
    if not args.quiet:
        print(f"trained on {model.training_provenance_['n']} cases in {seconds:.1f} s -> {args.output}",
              file=sys.stderr)
        if skipped:
            print(f"  rows without a {args.truth!r} label skipped: {skipped}", file=sys.stderr)
    return EXIT_DATA if skipped else EXIT_OK


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from calcinosis_classify.evaluation import evaluate
    from calcinosis_classify.persistence import write_atomic

    frame = _read_table(args.input, args.sep)
    report = evaluate(frame, args.truth, model=args.model, units=args.units, thresholds=_thresholds(args),
                      strict_units=args.strict_units)
    text = report.to_json() if args.format == "json" else report.to_text()
    if args.output == "-":
        print(text)
    else:
        write_atomic(args.output, (text + "\n").encode())
    if args.json_output:
        write_atomic(args.json_output, (report.to_json() + "\n").encode())
    if report.n_unlabelled and not args.quiet:
        print(f"calcinosis-classify: {report.n_unlabelled} rows without a {args.truth!r} label were skipped",
              file=sys.stderr)
    return EXIT_DATA if report.n_unlabelled else EXIT_OK


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="calcinosis-classify",
                                description="Explainable calcinosis cutis subtype classification "
                                            "(decision support for research and teaching, not a diagnosis).")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--units", choices=("conventional", "si"), default="conventional",
                        help="default unit system for numbers without a unit (default: conventional)")
        sp.add_argument("--strict-units", action="store_true",
                        help="never guess a unit; values impossible in their unit become unknown")
        g = sp.add_argument_group("thresholds", "override cut-offs (see `calcinosis-classify rules --format md`)")
        g.add_argument("--threshold", action="append", metavar="NAME=VALUE",
                       help="override a threshold, e.g. caxp_metastatic=55 (repeatable)")
        g.add_argument("--thresholds", dest="thresholds_file", metavar="FILE.json",
                       help="a JSON object of threshold overrides")
        for row in threshold_table():
            g.add_argument(f"--{row['name'].replace('_', '-')}", dest=f"th_{row['name']}", type=float,
                           metavar=row["unit"].split()[0] if row["unit"] else "VALUE",
                           help=f"{row['doc']} (default {row['value']:g} {row['unit']})".replace("%", "%%"))

    s = sub.add_parser("score", help="score a CSV/Parquet file")
    s.add_argument("input", help="CSV or Parquet file, or - for stdin")
    s.add_argument("-o", "--output", default="-", help="output CSV/Parquet file, or - for stdout (default)")
    s.add_argument("--sep", help="CSV delimiter (default: sniffed)")
    s.add_argument("--report", metavar="FILE", help="write every data problem to this CSV (row, case id, "
                                                    "column, value, problem)")
    s.add_argument("--prefix", default="", help="prefix for output column names (when the input already has "
                                                "e.g. a `subtype` column)")
    s.add_argument("-j", "--jobs", type=int, help="worker processes (default: the machine's cores, at most 4)")
    s.add_argument("--chunk-rows", type=int, help="rows per chunk (default 32768)")
    s.add_argument("--model", metavar="PATH", help="model file from `calcinosis-classify train`: adds the model's "
                                                  "columns beside the rules' (the rules stay first)")
    s.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no summary")
    common(s)
    s.set_defaults(func=_cmd_score)

    e = sub.add_parser("explain", help="explain one case")
    e.add_argument("input", nargs="?", help="CSV/Parquet file to take the case from")
    e.add_argument("--row", type=int, default=1, help="1-based data row of INPUT (default 1)")
    e.add_argument("--case-id", help="case_id of the row in INPUT")
    e.add_argument("--set", action="append", metavar="FIELD=VALUE", help="set a field (repeatable)")
    e.add_argument("--from-json", dest="json_case", metavar="FILE",
                   help="case as a JSON object, or several as an array of objects (- for stdin)")
    e.add_argument("--json", dest="as_json", action="store_true", help="print the result as JSON")
    common(e)
    e.set_defaults(func=_cmd_explain)

    r = sub.add_parser("rules", help="print the knowledge base")
    r.add_argument("--format", choices=("table", "md", "json"), default="table",
                   help="terminal table, markdown (usable as documentation) or JSON")
    r.add_argument("--kind", choices=tuple(_RULE_SECTIONS), help="only this kind of item")
    r.set_defaults(func=_cmd_rules)

    y = sub.add_parser("synth", help="generate a synthetic cohort with ground truth")
    y.add_argument("-n", type=int, default=1000)
    y.add_argument("--seed", type=int, default=0)
    y.add_argument("-o", "--output", default="-")
    y.add_argument("--missing-rate", type=float, default=0.1)
    y.add_argument("--qualitative-rate", type=float, default=0.05)
    y.add_argument("--si-fraction", type=float, default=0.0)
    y.add_argument("--atypical-rate", type=float, default=0.0)
    y.add_argument("--label-noise", type=float, default=0.0)
    y.add_argument("-q", "--quiet", action="store_true")
    y.set_defaults(func=_cmd_synth)

    t = sub.add_parser("train", help="train the learned layer (a rules-first hybrid) and save it safely")
    t.add_argument("input", nargs="?", metavar="COHORT", help="labelled CSV/Parquet cohort")
    t.add_argument("--synthetic", type=int, metavar="N", help="train on a fresh synthetic cohort of N cases instead")
    t.add_argument("--seed", type=int, default=0, help="seed of the synthetic cohort (default 0)")
    t.add_argument("--atypical-rate", type=float, default=0.0, help="atypical share of the synthetic cohort")
    t.add_argument("--missing-rate", type=float, default=0.1, help="missing-data rate of the synthetic cohort")
    t.add_argument("-o", "--output", required=True, metavar="MODEL", help="model file to write (e.g. model.ccm)")
    t.add_argument("--truth", default="true_subtype", help="column with the subtype labels (default true_subtype)")
    t.add_argument("--consult", choices=("low", "moderate"), default="moderate",
                   help="highest rules confidence at which the model decides (default moderate)")
    t.add_argument("--max-iter", type=int, default=300, help="boosting rounds at most (default 300)")
    t.add_argument("--random-state", type=int, default=0, help="seed of the model (default 0)")
    t.add_argument("--sep", help="CSV delimiter (default: sniffed)")
    t.add_argument("-q", "--quiet", action="store_true")
    common(t)
    t.set_defaults(func=_cmd_train)

    v = sub.add_parser("evaluate", help="evaluate the rules (and a model) against labelled cases")
    v.add_argument("input", metavar="LABELLED", help="labelled CSV/Parquet file")
    v.add_argument("--truth", required=True, help="column with the true subtypes")
    v.add_argument("--model", metavar="PATH", help="model file from `calcinosis-classify train`")
    v.add_argument("--format", choices=("text", "json"), default="text", help="report format (default text)")
    v.add_argument("-o", "--output", default="-", help="report file, or - for stdout (default)")
    v.add_argument("--json", dest="json_output", metavar="FILE", help="also write the report as JSON here")
    v.add_argument("--sep", help="CSV delimiter (default: sniffed)")
    v.add_argument("-q", "--quiet", action="store_true")
    common(v)
    v.set_defaults(func=_cmd_evaluate)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) if exc.code in (0, None) else EXIT_USAGE
    try:
        return int(args.func(args))
    except _UsageError as exc:
        print(f"calcinosis-classify: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ColumnClashError as exc:
        names = ", ".join(repr(c) for c in exc.columns)
        print(f"calcinosis-classify: error: the input already has output column(s) {names}; "
              f"pass --prefix rules_ (or another prefix) so the results get their own names", file=sys.stderr)
        return EXIT_USAGE
    except CalcinosisClassifyError as exc:
        print(f"calcinosis-classify: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): not an error of ours.
        sys.stderr.close()
        return EXIT_OK
    except OSError as exc:
        # Unreadable input, unwritable output, full disk...: one line, no traceback.
        print(f"calcinosis-classify: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("calcinosis-classify: interrupted; no output written", file=sys.stderr)
        return 130
