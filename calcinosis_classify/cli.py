"""Command line: ``calcinosis-classify score|explain|rules|synth|train|evaluate``.

Thin by design: parse arguments, call the library, map outcomes to exit codes
(0 ok, 1 output written but data problems found, 2 usage error or unreadable
input). Messages go to stderr as one line, without a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from calcinosis_classify._hybrid_policy import CONSULT_LEVELS, DEFAULT_CONSULT, TRAINING_SPARSE_RATE
from calcinosis_classify._version import __version__
from calcinosis_classify.errors import CalcinosisClassifyError, ColumnClashError
from calcinosis_classify.knowledge.thresholds import threshold_table

if TYPE_CHECKING:
    import pandas as pd

_THRESHOLD_NAMES = tuple(row["name"] for row in threshold_table())

__all__ = ["main"]

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2
# Training on fewer labelled cases than this warns.
MIN_TRAINING_CASES = 100


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """Argument errors as one line and where to look, not the whole usage."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}; see {self.prog} --help\n")


def _read_table(path: str, sep: str | None) -> pd.DataFrame:
    """Read CSV/Parquet as ``score`` reads it (one reading policy: the batch reader), every CSV cell as its
    exact text; notes on how it was read go to standard error."""
    from calcinosis_classify.batch import read_table

    frame, notes = read_table(path, sep)
    for note in notes:
        print(f"calcinosis-classify: {path}: {note}", file=sys.stderr)
    return frame


def _write_atomic(frame: pd.DataFrame, path: str) -> None:
    """CSV (``.gz``), Parquet or ``-`` (stdout), through pyarrow's writer, to a temporary file renamed into
    place (no half-written output); a spreadsheet name is refused in one line."""
    from calcinosis_classify._writing import write_frame

    write_frame(frame, path)


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

    _check_score_args(args)
    from calcinosis_classify.fhir._score import is_fhir_input, score_fhir

    if args.format == "fhir" or (args.format == "auto" and is_fhir_input(args.input)):
        summary = score_fhir(args.input, args.output, as_of=args.as_of, window_days=args.window_days or 90,
                             report=args.report, fhir_out=args.fhir_out, units=args.units,
                             thresholds=_thresholds(args), strict_units=args.strict_units, prefix=args.prefix,
                             jobs=args.jobs, chunk_rows=args.chunk_rows, progress=False if args.quiet else None,
                             model=args.model, out_sep=args.out_sep, excel=args.excel)
    else:
        summary = score_file(args.input, args.output, units=args.units, thresholds=_thresholds(args),
                             strict_units=args.strict_units, prefix=args.prefix, sep=args.sep,
                             report=args.report, jobs=args.jobs, chunk_rows=args.chunk_rows,
                             progress=False if args.quiet else None, model=args.model, out_sep=args.out_sep,
                             excel=args.excel)
        if args.fhir_out is not None:
            _write_fhir_out(args)
    if not args.quiet:
        for note in summary.notes:
            print(f"calcinosis-classify: {note}", file=sys.stderr)
        print(summary.text(args.output), file=sys.stderr)
    if args.fhir_out is not None and not args.quiet:
        print(f"wrote one RiskAssessment per output row -> {args.fhir_out}", file=sys.stderr)
    return EXIT_DATA if summary.problems else EXIT_OK


def _check_score_args(args: argparse.Namespace) -> None:
    """The ``score`` options that argparse cannot check alone, each refused in one line."""
    if args.jobs is not None and args.jobs < 1:
        raise _UsageError(f"--jobs must be at least 1, got {args.jobs}")
    if args.chunk_rows is not None and args.chunk_rows < 1:
        raise _UsageError(f"--chunk-rows must be at least 1, got {args.chunk_rows}")
    if args.model is not None and not Path(args.model).is_file():
        raise _UsageError(f"model file not found: {args.model}")
    if args.fhir_out is not None and args.output == "-":
        raise _UsageError("--fhir-out reads the scored rows back from the output file: give -o FILE "
                          "(not standard output)")
    if args.window_days is not None and args.window_days < 1:
        raise _UsageError(f"--window-days must be at least 1, got {args.window_days}")


def _write_fhir_out(args: argparse.Namespace) -> None:
    """``score --fhir-out``: one RiskAssessment per scored row, read back from the output file."""
    from calcinosis_classify.fhir import write_risk_assessments_from_file

    write_risk_assessments_from_file(args.output, args.fhir_out, prefix=args.prefix, sep=args.out_sep or args.sep)


def _parse_value(text: str) -> Any:
    try:
        return float(text)
    except ValueError:
        return text


def _case_from_table(path: str, row: int | None, case_id: str | None) -> tuple[dict[str, Any], str]:
    """The non-empty cells of one row of a table, by 1-based ``row`` or by case id (any of the names
    ``score`` accepts for the case-id column), and a label saying which row it is."""
    from calcinosis_classify.intake import read_cases

    frame = _read_table(path, None)
    if case_id is None:
        row = 1 if row is None else row
        if not 1 <= row <= len(frame):
            raise _UsageError(f"--row must be between 1 and {len(frame)} for {path}, got {row}")
    else:
        column = read_cases(frame.iloc[:0]).columns.get("case_id")
        if column is None:
            raise _UsageError(f"--case-id given but {path} has no case-id column (case_id, id, patient_id, ...)")
        hits = [i + 1 for i in (frame[column].astype(str) == case_id).to_numpy().nonzero()[0].tolist()]
        if not hits:
            raise _UsageError(f"no case id {case_id!r} in column {column!r} of {path}")
        if len(hits) > 1:
            shown = ", ".join(map(str, hits[:10])) + (", ..." if len(hits) > 10 else "")
            print(f"calcinosis-classify: case id {case_id!r} is on {len(hits)} rows of {path} ({shown}); "
                  f"explaining row {hits[0]} (pick another with --row N)", file=sys.stderr)
        row = hits[0]
    picked = frame.iloc[row - 1]
    return {str(k): v for k, v in picked.items() if v != "" and v is not None}, f"row {row} of {path}"


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


def _explain_cases(args: argparse.Namespace) -> tuple[list[dict[str, Any]], list[str]]:
    """The cases ``explain`` was given (a table row, JSON objects, --set fields) and a label for each."""
    if args.row is not None and args.case_id is not None:
        raise _UsageError("give --row or --case-id, not both")
    if (args.row is not None or args.case_id is not None) and not args.input:
        raise _UsageError("--row and --case-id pick a row of INPUT: give the file too")
    case, label = _case_from_table(args.input, args.row, args.case_id) if args.input else ({}, "")
    cases, labels = [case], [label]
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
    return cases, labels


def _cmd_explain(args: argparse.Namespace) -> int:
    from calcinosis_classify.assessment import classify

    cases, labels = _explain_cases(args)
    results = [classify(c, units=args.units, thresholds=_thresholds(args), strict_units=args.strict_units)
               for c in cases]
    if args.as_json:
        dicts = [r.to_dict() for r in results]
        if args.audience == "patient":
            for d, r in zip(dicts, results, strict=True):
                d["patient_summary"] = r.explain(audience="patient")
        print(json.dumps(dicts[0] if len(dicts) == 1 else dicts, indent=2, default=str))
    else:
        print("\n\n".join(r.explain(label=lab or None, audience=args.audience)
                           for r, lab in zip(results, labels, strict=True)))
    return EXIT_OK


def _knowledge_rows(kind: str | None = None) -> list[dict[str, Any]]:
    """Every knowledge-base item as one row: kind, id, subtype/level, points, condition, meaning, refs (the
    input fields too when ``kind`` is ``"field"``)."""
    from calcinosis_classify import knowledge as kb
    from calcinosis_classify.schema import FIELDS

    rows: list[dict[str, Any]] = [
        {"kind": "composite", "id": c.name, "condition": c.condition, "text": c.description, "refs": list(c.refs)}
        for c in kb.COMPOSITES]
    for spec in FIELDS if kind == "field" else ():  # listed on request only: fields are not rules
        rows.append({"kind": "field", "id": spec.name, "level": spec.kind + ("" if spec.contract else " (extension)"),
                     "text": spec.description, "refs": list(spec.refs)})
    rows += _code_rows() if kind == "code" else []  # listed on request only: code maps are not rules
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
    for m in kb.MANAGEMENT:
        rows.append({"kind": "management", "id": m.id, "subtype": ", ".join(m.subtypes), "level": m.practice,
                     "evidence": ", ".join(m.evidence), "condition": m.when, "text": m.option,
                     "cautions": m.cautions, "patient": m.patient, "refs": list(m.refs)})
    return rows


def _code_rows() -> list[dict[str, Any]]:
    """The FHIR code maps as rows: ``"LOINC 17861-6"``, the fields the code fills, its display, its refs."""
    from calcinosis_classify.fhir_codes import SYSTEM_NAMES
    from calcinosis_classify.knowledge.codes import CODE_SYSTEMS

    return [{"kind": "code", "id": f"{SYSTEM_NAMES[system]} {m.code}" + ("*" if m.match == "prefix" else ""),
             "fields": ", ".join(m.fields) or "(none)", "level": ", ".join(m.fields) or "(none)",
             "text": m.display + ("" if m.verified else " [not verified]"), "refs": list(m.refs)}
            for system, table in CODE_SYSTEMS.items() for m in table]


_RULE_SECTIONS = {
    "composite": "Composite findings (named combinations of findings that the items below use)",
    "rule": "Evidence rules (clinical-spec §6.3; strong ±3, moderate ±2, weak ±1, modifiers §6.3)",
    "override": "Overrides (§6.2)", "coexistence": "Co-existence (§6.5)",
    "risk_factor": "Calciphylaxis risk factors (§4.2, §4.4)", "urgency": "Urgency triggers (§7.2)",
    "next_step": "Next steps (§7.1)",
    "management": "What is usually done: management options (for a clinician to weigh, not instructions)",
    "field": "Input fields (the contract and the optional extensions)",
    "code": "FHIR code maps (code -> input fields; * marks a prefix)",
}


def _print_management_markdown(section: list[dict[str, Any]]) -> None:
    """The management table: one row per option, with its evidence, practice status and cautions."""
    print("| id | subtypes | option | evidence | practice | cautions | shown when | refs |")
    print("|---|---|---|---|---|---|---|---|")
    for r in section:
        cells = [r["id"], r["subtype"], r["text"], r["evidence"], r["level"], r["cautions"], f"`{r['condition']}`",
                 "".join(f"[{x}]" for x in r["refs"])]
        print("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    print()


def _print_markdown(rows: list[dict[str, Any]]) -> None:
    for kind, title in _RULE_SECTIONS.items():
        section = [r for r in rows if r["kind"] == kind]
        if not section:
            continue
        print(f"### {title}\n")
        if kind == "management":
            _print_management_markdown(section)
            continue
        label = {"rule": "points", "override": "action", "coexistence": "contributing",
                 "risk_factor": "level", "urgency": "level", "code": "fields"}.get(kind)
        head = "| id | subtype |" if kind in ("rule", "override", "coexistence") else "| id |"
        print(head + (f" {label} |" if label else "") + " condition | meaning | refs |")
        print("|---" * (head.count("|") - 1 + (1 if label else 0) + 3) + "|")
        for r in section:
            cells = [r["id"]] + ([r["subtype"]] if "subtype" in r else [])
            if label:
                cells.append(f"{r[label]:+d}" if label == "points" else str(r[label]))
            refs = "".join(f"[{x}]" for x in r["refs"])
            cells += [f"`{r['condition']}`" if "condition" in r else "", r["text"].replace("|", "\\|"), refs]
            print("| " + " | ".join(cells) + " |")
        print()


def _print_thresholds(fmt: str) -> None:
    rows = threshold_table()
    if fmt == "json":
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    elif fmt == "md":
        print("### Thresholds\n")
        print("| name | default | unit | meaning | refs |")
        print("|---|---|---|---|---|")
        for t in rows:
            print(f"| `{t['name']}` | {t['value']:g} | {t['unit']} | {t['doc']} | "
                  f"{''.join(f'[{x}]' for x in t['refs'])} |")
    else:
        width = max(len(t["name"]) for t in rows)
        for t in rows:
            value = f"{t['value']:g} {t['unit']}".strip()
            print(f"{t['name']:<{width}}  {value:<16} {t['doc']}")


def _cmd_references(fmt: str, kind: str | None) -> int:
    """``rules --references``: the numbered references as a terminal list, markdown (docs/references.md) or JSON."""
    from calcinosis_classify.citations import references_markdown, references_rows
    from calcinosis_classify.knowledge.references import REFERENCES

    if kind:
        raise _UsageError("--references lists the references, not knowledge-base items; leave out --kind")
    if fmt == "json":
        print(json.dumps(references_rows(), indent=2, ensure_ascii=False))
    elif fmt == "md":
        print(references_markdown(), end="")
    else:
        for ref in REFERENCES:
            print(ref.citation())
            print(f"     {ref.link}")
    return EXIT_OK


def _cmd_rules(args: argparse.Namespace) -> int:
    fmt = "json" if args.as_json else args.format
    if args.references:
        return _cmd_references(fmt, args.kind)
    if args.thresholds:
        _print_thresholds(fmt)
        return EXIT_OK
    rows = _knowledge_rows(args.kind)
    if args.kind:
        rows = [r for r in rows if r["kind"] == args.kind]
    if fmt == "json":
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    elif fmt == "md":
        _print_markdown(rows)
        _print_thresholds("md")
    else:
        width = max(len(r["id"]) for r in rows) if rows else 0
        for r in rows:
            tag = (f"{r['points']:+d}" if "points" in r else r.get("level") or r.get("action") or "")
            print(f"{r['kind']:<12} {r['id']:<{width}}  {r.get('subtype', ''):<13} {tag:<18} {r['text']}")
    return EXIT_OK


def _cmd_synth(args: argparse.Namespace) -> int:
    from calcinosis_classify.synthetic import generate_cohort

    try:
        cohort = generate_cohort(args.n, seed=args.seed, missing_rate=args.missing_rate,
                                 qualitative_rate=args.qualitative_rate, si_fraction=args.si_fraction,
                                 atypical_rate=args.atypical_rate, label_noise=args.label_noise,
                                 sparse_rate=args.sparse_rate)
    except ValueError as exc:
        raise _UsageError(str(exc)) from None
    if args.format == "fhir":
        return _synth_fhir(cohort, args)
    if args.gzip or args.as_of is not None:
        raise _UsageError("--gzip and --as-of apply to --format fhir only (name the CSV output .csv.gz to compress)")
    _write_atomic(cohort, args.output)
    if not args.quiet:
        print(f"wrote {len(cohort)} synthetic cases -> {args.output}", file=sys.stderr)
    return EXIT_OK


def _synth_fhir(cohort: pd.DataFrame, args: argparse.Namespace) -> int:
    """``synth --format fhir``: the cohort as a FHIR Bulk Data export folder."""
    from calcinosis_classify.fhir import DEFAULT_AS_OF, write_synthetic_export

    if args.output == "-":
        raise _UsageError("--format fhir writes a folder of NDJSON files: give -o FOLDER")
    as_of = args.as_of or DEFAULT_AS_OF
    try:
        import pandas as pd

        pd.Timestamp(as_of)
    except ValueError:
        raise _UsageError(f"--as-of must be a date or date-time like 2025-06-30, got {as_of!r}") from None
    result = write_synthetic_export(cohort, args.output, as_of=as_of, seed=args.seed, gzip=args.gzip)
    if not args.quiet:
        counts = ", ".join(f"{n} {t}" for t, n in result.counts.items())
        print(f"wrote {len(cohort)} synthetic patients as FHIR ({counts}) in {result.seconds:.1f} s -> "
              f"{args.output} (index date {result.as_of}; cohort.csv: the same patients in the CSV contract)",
              file=sys.stderr)
        if result.left_out:
            print(f"  left out (no code map expresses them): {', '.join(result.left_out)}", file=sys.stderr)
    return EXIT_OK


def _physical_cores() -> int:
    import joblib

    return int(joblib.cpu_count(only_physical_cores=True))


def _cmd_train(args: argparse.Namespace) -> int:
    import time

    from calcinosis_classify.model import train
    from calcinosis_classify.persistence import save_model

    if (args.input is None) == (args.synthetic is None):
        raise _UsageError("give either a COHORT file or --synthetic N (not both)")
    threads = args.threads if args.threads is not None else _physical_cores()
    if threads < 1:
        raise _UsageError(f"--threads must be at least 1, got {threads}")
    if args.synthetic is not None:
        from calcinosis_classify.synthetic import generate_cohort

        try:
            cohort = generate_cohort(args.synthetic, seed=args.seed, atypical_rate=args.atypical_rate,
                                     missing_rate=args.missing_rate, sparse_rate=args.sparse_rate)
        except ValueError as exc:
            raise _UsageError(str(exc)) from None
        source = (f"synthetic: generate_cohort(n={args.synthetic}, seed={args.seed}, "
                  f"atypical_rate={args.atypical_rate}, missing_rate={args.missing_rate}, "
                  f"sparse_rate={args.sparse_rate})")
    else:
        cohort = _read_table(args.input, args.sep)
        source = args.input
    start = time.perf_counter()
    model = train(cohort, args.truth, consult=args.consult, random_state=args.random_state,
                  max_iter=args.max_iter, units=args.units, thresholds=_thresholds(args),
                  strict_units=args.strict_units, source=source, threads=threads)
    seconds = time.perf_counter() - start
    save_model(model, args.output, provenance={"training_seconds": round(seconds, 2)})
    skipped = int(model.training_provenance_.get("n_skipped", 0))
    n = int(model.training_provenance_["n"])
    if n < MIN_TRAINING_CASES:
        print(f"calcinosis-classify: warning: trained on only {n} labelled cases; with fewer than "
              f"{MIN_TRAINING_CASES} the model's probabilities and its agreement with the rules mean little",
              file=sys.stderr)
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
                      strict_units=args.strict_units, by=args.by)
    text = report.to_json() if args.as_json or args.format == "json" else report.to_text()
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


# --------------------------------------------------------------------------- the parser, as data
#
# Each verb: (one-line help, handler, its options, whether it takes the unit and threshold options). An
# option: (flags, argparse keywords). Every help text ends with the default.

_Option = tuple[tuple[str, ...], dict[str, Any]]


def _opt(*flags: str, **kwargs: Any) -> _Option:
    return flags, kwargs


_SEP = _opt("--sep", help="CSV delimiter of the input: one character, or tab (default: sniffed from the first lines)")
_QUIET = _opt("-q", "--quiet", action="store_true", help="no progress bar and no summary (default: off)")
_TRUTH = _opt("--truth", default="true_subtype", help="column with the true subtypes (default: true_subtype)")

_SCORE = [
    _opt("input", help="CSV (also .gz, .bz2) or Parquet file, - for CSV on standard input, or FHIR: a Bundle "
                       ".json, an .ndjson(.gz) file or a folder of them (a bulk export)"),
    _opt("--format", choices=("auto", "table", "fhir"), default="auto",
         help="input format: table (CSV/Parquet) or fhir; auto: fhir for a folder, .ndjson(.gz) or .json "
              "(default: auto)"),
    _opt("--as-of", metavar="YYYY-MM-DD", help="FHIR input: the day of assessment; resources dated later are not "
                                               "used (default: the newest date in the input)"),
    _opt("--window-days", type=int, help="FHIR input: lab results older than this many days before --as-of are "
                                         "not used (default: 90)"),
    _opt("-o", "--output", default="-", help="output .csv, .csv.gz or .parquet file, or - for standard output "
                                             "(default: -)"),
    _SEP,
    _opt("--out-sep", metavar="SEP", help="CSV delimiter of the output: one character, or tab (default: the "
                                          "input's; a comma for Parquet input)"),
    _opt("--excel", action="store_true", help="start the CSV output with a UTF-8 byte-order mark so Excel "
                                              "reads accents right (default: off)"),
    _opt("--report", metavar="FILE", help="write every data problem to this CSV (row, case id, column, value, "
                                          "problem), - for standard error (default: none)"),
    _opt("--prefix", default="", help="prefix for the output column names, for an input that already has "
                                      "e.g. a `subtype` column (default: none)"),
    _opt("-j", "--jobs", type=int, help="worker processes (default: the machine's cores, at most 4)"),
    _opt("--chunk-rows", type=int, help="rows per chunk (default: 32768)"),
    _opt("--model", metavar="PATH", help="model file from `calcinosis-classify train`: adds the model's columns "
                                         "beside the rules' (default: none)"),
    _opt("--fhir-out", metavar="FILE.ndjson", help="also write one FHIR R4 RiskAssessment per row to this NDJSON "
                                                   "file (.gz: gzipped); needs -o FILE (default: none)"),
    _QUIET,
]
_EXPLAIN = [
    _opt("input", nargs="?", help="CSV/Parquet file to take the case from (default: none)"),
    _opt("--row", type=int, help="1-based data row of INPUT (default: 1)"),
    _opt("--case-id", help="case id of the row of INPUT, in any column score reads as the case id "
                           "(case_id, id, patient_id, ...) (default: none)"),
    _opt("--set", action="append", metavar="FIELD=VALUE", help="set a field; repeatable (default: none)"),
    _opt("--from-json", dest="json_case", metavar="FILE",
         help="case as a JSON object, or several as an array of objects; - for standard input (default: none)"),
    _opt("--json", dest="as_json", action="store_true", help="print the result as JSON (default: off)"),
    _opt("--audience", choices=("clinician", "patient"), default="clinician",
         help="clinician: every point with its rule and reference, then what is usually done; patient: a short "
              "plain-language summary, when to seek care first (default: clinician)"),
]
_RULES = [
    _opt("--format", choices=("table", "md", "json"), default="table",
         help="terminal table, markdown (usable as documentation) or JSON (default: table)"),
    _opt("--json", dest="as_json", action="store_true", help="the same as --format json (default: off)"),
    _opt("--kind", choices=tuple(_RULE_SECTIONS),
         help="only this kind of item; 'field' lists the input fields, 'code' the FHIR code maps (default: every knowledge-base item)"),
    _opt("--references", action="store_true",
         help="print the numbered references the items cite ([26] ...) instead, with their links (default: off)"),
    _opt("--thresholds", action="store_true", help="list the thresholds instead: name, default, unit, "
                                                   "meaning; set them with --threshold NAME=VALUE (default: off)"),
]
_SYNTH = [
    _opt("-n", type=int, default=1000, help="number of cases (default: 1000)"),
    _opt("--seed", type=int, default=0, help="random seed: the same seed gives the same cohort (default: 0)"),
    _opt("-o", "--output", default="-", help="output CSV/Parquet file, or - for standard output; with --format "
                                             "fhir, the export folder to create (default: -)"),
    _opt("--format", choices=("csv", "fhir"), default="csv",
         help="csv: one table (CSV or Parquet by the output's name); fhir: a FHIR R4 Bulk Data export folder "
              "(Patient/Observation/Condition/MedicationRequest/Procedure .ndjson, and cohort.csv) (default: csv)"),
    _opt("--gzip", action="store_true", help="--format fhir: write .ndjson.gz files (default: off)"),
    _opt("--as-of", metavar="DATE", help="--format fhir: the index date the export is written for "
                                         "(default: 2025-06-30)"),
    _opt("--missing-rate", type=float, default=0.1, help="share of values left blank (default: 0.1)"),
    _opt("--qualitative-rate", type=float, default=0.05,
         help="share of labs given as low/normal/high instead of a number (default: 0.05)"),
    _opt("--si-fraction", type=float, default=0.0, help="share of rows in SI units (default: 0)"),
    _opt("--atypical-rate", type=float, default=0.0, help="share of atypical presentations (default: 0)"),
    _opt("--label-noise", type=float, default=0.0, help="share of wrong ground-truth labels (default: 0)"),
    _opt("--sparse-rate", type=float, default=0.0,
         help="share of sparse rows like case reports and clinic extracts (default: 0)"),
    _opt("-q", "--quiet", action="store_true", help="no summary line (default: off)"),
]
_TRAIN = [
    _opt("input", nargs="?", metavar="COHORT", help="labelled CSV/Parquet cohort (default: none; or --synthetic)"),
    _opt("--synthetic", type=int, metavar="N", help="train on a fresh synthetic cohort of N cases instead "
                                                    "(default: none)"),
    _opt("--seed", type=int, default=0, help="seed of the synthetic cohort (default: 0)"),
    _opt("--atypical-rate", type=float, default=0.0, help="atypical share of the synthetic cohort (default: 0)"),
    _opt("--missing-rate", type=float, default=0.1, help="missing-data rate of the synthetic cohort "
                                                         "(default: 0.1)"),
    _opt("--sparse-rate", type=float, default=TRAINING_SPARSE_RATE,
         help=f"share of sparse, case-report-like rows in the synthetic cohort (default: {TRAINING_SPARSE_RATE})"),
    _opt("-o", "--output", required=True, metavar="MODEL", help="model file to write, e.g. model.ccm "
                                                                "(required)"),
    _TRUTH,
    _opt("--consult", choices=CONSULT_LEVELS, default=DEFAULT_CONSULT,
         help=f"highest rules confidence at which the model decides; 'indeterminate': only where the rules "
              f"name no subtype (default: {DEFAULT_CONSULT})"),
    _opt("--threads", type=int, help="threads the model fit may use (default: the machine's physical cores; "
                                     "fewer on a machine busy with other work)"),
    _opt("--max-iter", type=int, default=300, help="boosting rounds at most (default: 300)"),
    _opt("--random-state", type=int, default=0, help="seed of the model (default: 0)"),
    _SEP,
    _opt("-q", "--quiet", action="store_true", help="no summary line (default: off)"),
]
_EVALUATE = [
    _opt("input", metavar="LABELLED", help="labelled CSV/Parquet file"),
    _TRUTH,
    _opt("--model", metavar="PATH", help="model file from `calcinosis-classify train` (default: rules only)"),
    _opt("--by", metavar="COLUMN",
         help="also summarise per value of this column (default: label_basis when the file has it)"),
    _opt("--format", choices=("text", "json"), default="text", help="report format (default: text)"),
    _opt("--json", dest="as_json", action="store_true", help="the same as --format json (default: off)"),
    _opt("-o", "--output", default="-", help="report file, or - for standard output (default: -)"),
    _opt("--json-output", metavar="FILE", help="also write the report as JSON here (default: none)"),
    _SEP,
    _opt("-q", "--quiet", action="store_true", help="no note on skipped rows (default: off)"),
]

_VERBS: dict[str, tuple[str, Any, list[_Option], bool]] = {
    "score": ("score a CSV/Parquet file or a FHIR export", _cmd_score, _SCORE, True),
    "explain": ("explain one case", _cmd_explain, _EXPLAIN, True),
    "rules": ("print the knowledge base (or the thresholds)", _cmd_rules, _RULES, False),
    "synth": ("generate a synthetic cohort with ground truth", _cmd_synth, _SYNTH, False),
    "train": ("train the learned layer (a rules-first hybrid) and save it safely", _cmd_train, _TRAIN, True),
    "evaluate": ("evaluate the rules (and a model) against labelled cases", _cmd_evaluate, _EVALUATE, True),
}


def _add_common(sp: argparse.ArgumentParser) -> None:
    """Units and thresholds, for the verbs that score."""
    sp.add_argument("--units", choices=("conventional", "si"), default="conventional",
                    help="unit system for numbers whose unit nothing states (default: conventional)")
    sp.add_argument("--strict-units", action="store_true",
                    help="never guess a unit; values impossible in their unit become unknown (default: off)")
    sp.add_argument("--threshold", action="append", metavar="NAME=VALUE",
                    help="override a cut-off, e.g. caxp_metastatic=55; repeatable; the names, defaults and "
                         "units: `calcinosis-classify rules --thresholds` (default: none)")
    sp.add_argument("--thresholds", dest="thresholds_file", metavar="FILE.json",
                    help="a JSON object of threshold overrides (default: none)")
    for row in threshold_table():  # the former one-flag-per-threshold spelling, still accepted, not listed
        sp.add_argument(f"--{row['name'].replace('_', '-')}", dest=f"th_{row['name']}", type=float,
                        help=argparse.SUPPRESS)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="calcinosis-classify",
                description="Explainable calcinosis cutis subtype classification "
                            "(decision support for research and teaching, not a diagnosis).")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (summary, handler, options, common) in _VERBS.items():
        sp = sub.add_parser(name, help=summary, description=summary)
        for flags, kwargs in options:
            sp.add_argument(*flags, **kwargs)
        if common:
            _add_common(sp)
        sp.set_defaults(func=handler)
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
