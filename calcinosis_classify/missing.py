"""Which unknown inputs could change the answer (the ``missing`` column; clinical-spec §7.1).

Each probe (knowledge/policy.py) sets one unknown input to each of its plausible values; an input is
decisive for a row when some value changes the top subtype (10 per value) or the confidence (1 per value).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import numpy as np

from calcinosis_classify import knowledge as kb
from calcinosis_classify.compiled import ENGINE_FINDINGS, KB, SUB_INDEX, CompiledRule, S
from calcinosis_classify.errors import KnowledgeBaseError
from calcinosis_classify.findings import _COMPOSITE_CONDITIONS, FINDINGS, TRUE, compute_findings, downstream
from calcinosis_classify.knowledge.thresholds import Thresholds
from calcinosis_classify.logic import Condition
from calcinosis_classify.ranking import (
    HIGH_MARGIN,
    OVERRIDE_ACTIONS,
    RANK_BASE_NAMES,
    RANK_CONDITIONS,
    RANK_NAMES,
    STACKED_T,
    core,
    graded_rows,
    kidney_known,
    rank,
    rank_conditions,
)
from calcinosis_classify.schema import FIELD_BY_NAME

# Inputs probed for `missing` (knowledge/policy.py): (name, plausible values, the fields that must all be
# unknown), and the field each probe sets.
_PROBES: tuple[tuple[str, tuple[Any, ...], tuple[str, ...]], ...] = tuple(
    (p.name, p.values, p.group) for p in kb.PROBES)
PROBE_NAMES = tuple(p[0] for p in _PROBES)
_PROBE_SET_FIELD = {p.name: p.sets for p in kb.PROBES}
MAX_MISSING = 5


def _unknown_mask(v: np.ndarray) -> np.ndarray:
    if v.dtype.kind == "f":
        return np.isnan(v)
    if v.dtype.kind in "iu":
        return v < 0
    return np.array([x is None for x in v], dtype=bool)


def _probe_unknown(values: Mapping[str, np.ndarray], group: tuple[str, ...]) -> np.ndarray:
    """Rows where every input of a probe's group is unknown."""
    mask = _unknown_mask(values[group[0]])
    for name in group[1:]:
        mask &= _unknown_mask(values[name])
    return mask


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise equality that counts NaN == NaN."""
    if a.dtype.kind == "f":
        return (a == b) | (np.isnan(a) & np.isnan(b))
    return a == b


def decisiveness(values: Mapping[str, np.ndarray], env: Mapping[str, np.ndarray], rule_state: np.ndarray, stacked: np.ndarray,
             ranked: Mapping[str, np.ndarray], thresholds: Thresholds, probed: np.ndarray | None = None
             ) -> np.ndarray:
    """Decisiveness of each unknown probe input: 10 per plausible value that changes the top subtype,
    1 per value that changes the confidence. ``probed``: the probe-major result of the variants when
    they were evaluated alongside the rows (see :func:`evaluate`)."""
    n = rule_state.shape[1]
    out = probed if probed is not None else _probe_by_input(values, env, rule_state, stacked, ranked, thresholds, n)
    # The confidence definition (§6.2) needs both calcium and phosphate: when one is missing the
    # other alone cannot lift it, so name both whenever confidence is low for want of them, weighted
    # like one changed answer: without them no answer is better than low confidence.
    conf_low = ranked["confidence"] == 0
    for name in kb.CONFIDENCE.needs_probes:
        k = PROBE_NAMES.index(name)
        unknown = _probe_unknown(values, _PROBES[k][2])
        out[k] += np.where(conf_low & unknown, 10, 0).astype(out.dtype)
    return out.T  # (n, K) view of the probe-major array


# Up to this many rows, every probe variant of every row is stacked under the rows themselves and the
# whole block is evaluated in a single pass (per-call overhead dominates small inputs); larger inputs probe
# one input at a time, re-evaluating only the findings and rules that input touches.
SMALL_BATCH = 16


def probe_variants(values: Mapping[str, np.ndarray], n: int
                    ) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, frozenset[str]]:
    """The ``n`` rows followed by one copy of each row per unknown probe input and plausible value:
    (values of all rows, probe index of each variant, source row of each variant, inputs absent from
    all rows)."""
    # The rows of each input dtype stacked once: whether each input is absent, then the variants' copies.
    groups = _dtype_groups(tuple(values), tuple(v.dtype for v in values.values()))
    stacks = {names: np.array([values[f] for f in names]) for names in groups if values[names[0]].dtype != object}
    absent_names: list[str] = []
    for names in groups:
        stack = stacks.get(names)
        if stack is None:
            absent_names.extend(f for f in names if all(x is None for x in values[f]))
        else:
            unknown = np.isnan(stack) if stack.dtype.kind == "f" else stack < 0
            absent_names.extend(names[i] for i in np.flatnonzero(unknown.all(axis=1)))
    absent = frozenset(absent_names).intersection(FIELD_BY_NAME)
    sources: list[np.ndarray] = [np.arange(n)]
    seg_probe: list[int] = []
    seg_field: list[str] = []
    seg_value: list[Any] = []
    seg_size: list[int] = []
    for k, (name, probe_values, group) in enumerate(_PROBES):
        if n == 1:  # a single row: the probe applies when its whole group is absent
            if not absent.issuperset(group):
                continue
            rows = _ROW0
        else:
            rows = np.flatnonzero(_probe_unknown(values, group))
            if rows.size == 0:
                continue
        set_field = _PROBE_SET_FIELD.get(name, name)
        for value in probe_values:
            sources.append(rows)
            seg_probe.append(k)
            seg_field.append(set_field)
            seg_value.append(value)
            seg_size.append(rows.size)
    src = np.concatenate(sources)
    # Copy the rows once per input dtype (one stacked gather each), then set every probed value with one
    # scatter per dtype: each variant column holds exactly one probed value.
    variants: dict[str, np.ndarray] = {}
    sizes = np.array(seg_size, dtype=np.intp)
    field_of = np.array(seg_field, dtype=object)
    cols = np.arange(n, n + int(sizes.sum()))
    for names in groups:
        if names not in stacks:
            for f in names:
                variants[f] = values[f][src]
            continue
        block = stacks[names][:, src]
        row_of = _row_of(names)
        mine = np.array([f in row_of for f in seg_field], dtype=bool)
        if mine.any():
            per_col = np.repeat(mine, sizes)
            block[np.repeat([row_of[f] for f in field_of[mine]], sizes[mine]), cols[per_col]] = np.repeat(
                np.array(seg_value, dtype=object)[mine].astype(block.dtype), sizes[mine])
        variants.update(zip(names, block, strict=True))
    probe_of = np.repeat(np.array(seg_probe, dtype=np.intp), sizes)
    # Every probe value is a known value: an input is absent from the variants exactly when it is absent
    # from the rows and no variant sets it.
    return variants, probe_of, src[n:], absent - set(seg_field)


_ROW0 = np.zeros(1, dtype=np.intp)


@lru_cache(maxsize=64)
def _row_of(names: tuple[str, ...]) -> dict[str, int]:
    return {f: i for i, f in enumerate(names)}


@lru_cache(maxsize=64)
def _dtype_groups(names: tuple[str, ...], dtypes: tuple[np.dtype, ...]) -> tuple[tuple[str, ...], ...]:
    """Input names grouped by dtype (in input order within each group)."""
    groups: dict[np.dtype, list[str]] = {}
    for name, dtype in zip(names, dtypes, strict=True):
        groups.setdefault(dtype, []).append(name)
    return tuple(tuple(g) for g in groups.values())


def decisive(ranked: Mapping[str, np.ndarray], n: int, probe_of: np.ndarray, src: np.ndarray) -> np.ndarray:
    """Probe-major decisiveness from a ranking of the rows (first ``n``) and their variants (the rest)."""
    top, confidence = ranked["top"], ranked["confidence"]
    decisive = 10 * (top[n:] != top[src]) + (confidence[n:] != confidence[src])
    counts = np.bincount(probe_of * n + src, weights=decisive, minlength=len(PROBE_NAMES) * n)
    return counts.astype(np.int16).reshape(len(PROBE_NAMES), n)


def _probe_all_at_once(values: Mapping[str, np.ndarray], thresholds: Thresholds, n: int) -> np.ndarray:
    """Probe-major decisiveness with every variant in one pass (what :func:`evaluate` does for small
    inputs, kept separate so it can be checked against :func:`_probe_by_input`)."""
    variants, probe_of, src, absent = probe_variants(values, n)
    _, _, _, ranked = core(variants, n + src.size, thresholds, full=False, absent=absent)
    return decisive(ranked, n, probe_of, src)


def _settle(ranked: Mapping[str, np.ndarray], rows: np.ndarray, gain: np.ndarray, loss: np.ndarray,
            env: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Which ``rows`` provably keep their top subtype when every subtype's adjusted points move by at most
    ``gain`` up and ``loss`` down, with the supported/strong/phenotype sets, the override and co-existence
    states and the calciphylaxis tie-break unchanged; and their confidence then, from the calcium,
    phosphate and kidney inputs in ``env`` (the probed rows' values).

    Under those conditions each ranking step (the support floor, co-existence lifts, the O3/O4 caps, the
    O1 lift) is monotone and shifts with its inputs, so every final adjusted score, and so every key, moves
    within [-loss, +gain]: the lead of the best key shrinks by at most gain + loss, and the margin behind
    the confidence moves by at most as much. Points move in whole steps and ties are broken by distinct
    fractions, so the comparisons below are exact. Rows not settled must be ranked in full.

    One co-existence or override condition may change whether it is in force if the caller adds that
    step's reach (how far it moves its subtype at its step in the base ranking, ``*_reach`` of
    :func:`~calcinosis_classify.ranking.rank`) to both ``gain`` and ``loss``: up to that step the base
    ranking and the probed one (at the base points) agree, the step then differs in one subtype by exactly
    the reach, and every later step is monotone and moves by at most what its inputs move.
    """
    span = gain + loss
    best_adj = ranked["best_adj"][rows]
    # The best subtype still leads and keeps (or still lacks) a positive score.
    top_kept = (ranked["key_gap"][rows] > span) & (
        ~ranked["best_supported"][rows] | np.where(best_adj > 0, best_adj - loss > 0, best_adj + gain <= 0))
    margin = ranked["margin"][rows]
    high, not_high = margin - span >= HIGH_MARGIN, margin + span < HIGH_MARGIN
    graded = graded_rows(env) & (ranked["top"][rows] >= 0)
    kidney = kidney_known(env)
    confidence = np.where(graded, np.where(high & kidney, 2, 1), 0)
    return top_kept & (~graded | ~kidney | high | not_high), confidence


# Invariants the input-by-input fast path (_settle, _gate, _probe_by_input) relies on, checked here or by
# tests/test_fast_paths.py against the reference implementation below:
#
# 1. Monotone bounds. With the supported / strong / phenotype sets and the state of every co-existence and
#    override condition in force unchanged, each ranking step (support floor, co-existence lift, every
#    override action) is monotone in the adjusted points and shifts by at most what its inputs shift. So
#    if the probed rules move each subtype's points by at most +gain / -loss, every final key moves within
#    [-loss, +gain].
# 2. Gates. Whether a condition is "in force" depends only on its state and, for the actions below marked
#    as needing their subtype's support, on that support. Every override action the ranking knows must be
#    listed here with that fact: a new action fails when the package is imported, not in a wrong answer.
# 3. Reach. Every co-existence lift and override action records in the base ranking how far it moves (or
#    would move) its subtype at its step, applied or not; with (1) this bounds the effect of one condition
#    changing whether it is in force (see _settle). ranking.py checks at import that every action records it.
_OVERRIDE_NEEDS_SUPPORT = {"rank_first": True, "rank_at_most_third": False, "lead_only_if": False}
if set(_OVERRIDE_NEEDS_SUPPORT) != set(OVERRIDE_ACTIONS):
    raise KnowledgeBaseError("OVERRIDES", f"the missing-data fast path handles the override actions "
                                          f"{sorted(_OVERRIDE_NEEDS_SUPPORT)}, the ranking knows "
                                          f"{sorted(OVERRIDE_ACTIONS)}: declare the new action in missing.py")


def _gate(key: tuple[str, int]) -> int:
    """For a co-existence (``("c", k)``) or override (``("o", k)``) condition: the subtype whose support
    it needs to act (-1: none; -2: it never moves the ranking)."""
    kind, k = key
    if kind == "c":
        c = KB.coexistence[k][0]
        return SUB_INDEX[c.primary] if c.primary_outranks else -2
    o = KB.overrides[k][0]
    return SUB_INDEX[o.subtype] if _OVERRIDE_NEEDS_SUPPORT[o.action] else -1


def _in_force(state: np.ndarray, gate: int, supported: np.ndarray, rows: np.ndarray) -> np.ndarray:
    on = state == TRUE
    return on & supported[rows, gate] if gate >= 0 else on


_ALL = slice(None)


class _Gather(Mapping[str, np.ndarray]):
    """Probe-row arrays restricted to ``hit``, falling back to the base ``env`` at ``rows``; gathered lazily
    (a condition reads a handful of the names). ``_ALL`` as an index takes the arrays as they are."""

    def __init__(self, probe: Mapping[str, np.ndarray], hit: np.ndarray | slice, env: Mapping[str, np.ndarray],
                 rows: np.ndarray | slice):
        self._probe, self._hit, self._env, self._rows = probe, hit, env, rows
        self._cache: dict[str, np.ndarray] = {}
        self._len = -1

    def __getitem__(self, name: str) -> np.ndarray:
        got = self._cache.get(name)
        if got is None:
            if name in self._probe:
                got = self._probe[name] if self._hit is _ALL else self._probe[name][self._hit]
            else:
                got = self._env[name] if self._rows is _ALL else self._env[name][self._rows]
            self._cache[name] = got
        return got

    def __iter__(self) -> Any:
        # Names already gathered first: a condition takes the row count from the first array it is given.
        yield from self._cache
        yield from (name for name in self._probe if name not in self._cache)
        yield from (name for name in self._env if name not in self._probe and name not in self._cache)

    def __len__(self) -> int:
        if self._len < 0:  # counted once: every condition evaluated on the gather asks
            self._len = len(set(self._probe) | set(self._env))
        return self._len


@dataclass(frozen=True)
class _ProbePlan:
    """What probing one input touches, fixed by the knowledge base (see :func:`_probe_plan`)."""

    set_field: str
    touched: frozenset[str]  # findings downstream of the input
    computed: frozenset[str]  # those recomputed for each value (the rest are true on every probed row)
    known_true: tuple[str, ...]  # touched findings true whatever the value tried: it makes the input known
    rules: tuple[CompiledRule, ...]  # rules reading the input or a touched finding
    rule_cols: np.ndarray
    needed: frozenset[str]  # inputs of the touched findings
    base_names: frozenset[str]  # what the touched findings and probed rules read that the probe leaves as is
    rank_inputs: tuple[str, ...]  # ranking inputs the probe can change
    moved_points: np.ndarray  # stacked rows (points) the probed rules can move
    moved_counts: np.ndarray  # stacked rows (support / strong / phenotype counts) they can move
    to_moved: np.ndarray  # (moved rows, probed rules) weights
    moved: np.ndarray  # moved_points and moved_counts
    unsupported_points: tuple[np.ndarray, np.ndarray]  # rows of the moved points and of their modifiers
    kept: tuple[tuple[str, int], ...]  # co-existence / override conditions the probe cannot change
    recheck: tuple[tuple[tuple[str, int], Condition, int], ...]  # the others that can move the ranking, gated
    reuse: tuple[tuple[str, int], ...]  # re-checked conditions not reading rule-derived findings
    env_names: frozenset[str]  # what a partial ranking reads from the findings
    cp_probed: bool


def _true_once_known(node: ast.AST, field: str, true: AbstractSet[str]) -> bool:
    """Whether a condition is certainly true once ``field`` is known, with the findings in ``true`` true
    (``any_known(..., field, ...)`` and ``known(field)`` are; ``|`` needs one side, ``&`` both)."""
    if isinstance(node, ast.Expression):
        return _true_once_known(node.body, field, true)
    if isinstance(node, ast.Name):
        return node.id in true
    if isinstance(node, ast.BinOp):
        left, right = (_true_once_known(x, field, true) for x in (node.left, node.right))
        return (left or right) if isinstance(node.op, ast.BitOr) else (left and right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("known", "any_known"):
        return any(isinstance(a, ast.Name) and (a.id == field or a.id in true) for a in node.args)
    return False


def _known_true(field: str, values: tuple[Any, ...], touched: frozenset[str]) -> tuple[str, ...]:
    """The composite findings among ``touched`` that are true on every row the probe sets ``field`` on (every
    value it tries is a known one): a probe need not gather what they read only to find that out."""
    coded = FIELD_BY_NAME[field].kind in ("flag", "demographic")  # -1 codes unknown
    if not all(v == v and not (coded and v < 0) for v in values):
        return ()
    true: set[str] = set()
    for composite in kb.COMPOSITES:  # in dependency order
        if composite.name in touched and _true_once_known(_COMPOSITE_CONDITIONS[composite.name].tree, field,
                                                          true):
            true.add(composite.name)
    return tuple(sorted(true))


@cache
def _probe_plan(k: int) -> _ProbePlan | None:
    """The static part of probing input ``k`` (``None``: it reaches no rule and no finding)."""
    name = _PROBES[k][0]
    set_field = _PROBE_SET_FIELD.get(name, name)
    touched = frozenset(downstream([set_field]))
    rule_idx = sorted({i for f in touched | {set_field} for i in KB.rule_deps.get(f, ())})
    if not rule_idx and not touched:
        return None
    known_true = _known_true(set_field, _PROBES[k][1], touched)
    computed = touched - set(known_true)
    needed = frozenset().union(*(FINDINGS[f].inputs for f in computed))
    probed = touched | {set_field}
    rule_cols = np.array(rule_idx, dtype=np.intp)
    # The stacked sums the probed rules can move: their points rows (for the shift bound) and their
    # count rows (support / strong / phenotype: a set changes when a count crosses zero).
    moved = np.flatnonzero((STACKED_T[:, rule_cols] != 0).any(axis=1))
    # Co-existence and override conditions that read neither the probed input nor the rule-derived
    # findings keep their state: taken from the base ranking instead of re-evaluated.
    kept = tuple(key for key, cond in RANK_CONDITIONS
                 if not (cond.names & probed) and not (cond.names & ENGINE_FINDINGS))
    # The rest are re-evaluated for the bound. Only whether a condition is in force moves the ranking:
    # true, and for a co-existence lift or O1 the subtype it serves supported (the supported sets are
    # unchanged on that path). A co-existence that only names a contributing subtype does not move it.
    # One that reads no probed name but a rule-derived finding keeps its state where the sets stay (the only
    # rows the bound settles): it is left to the ranking of the rows re-ranked.
    recheck = tuple((key, cond, _gate(key)) for key, cond in RANK_CONDITIONS
                    if key not in kept and _gate(key) != -2 and cond.names & probed)
    # Re-checked conditions that read no rule-derived finding have the same new state in a re-ranking: the
    # partial ranking takes it instead of evaluating them again. The rest (and the contributing-only
    # co-existence conditions, which a partial ranking skips) it evaluates.
    reuse = tuple(key for key, cond, _ in recheck if not cond.names & ENGINE_FINDINGS)
    evaluated = [cond for key, cond in RANK_CONDITIONS if key not in kept and key not in reuse]
    moved_points, moved_counts = moved[moved < S], moved[moved >= S]
    rule_names = frozenset().union(*(KB.rules[i].cond.names for i in rule_idx))
    # Modifier points count only for a supported subtype: an unsupported one moves by its points' change less
    # its modifiers' (the rows of both among the moved rows; a modifier rule moves its subtype's points).
    modifier = np.flatnonzero(moved >= 5 * S)
    unsupported_points = (np.searchsorted(moved, moved[modifier] - 5 * S), modifier)
    return _ProbePlan(
        set_field=set_field, touched=touched, computed=computed, known_true=known_true,
        rules=tuple(KB.rules[i] for i in rule_idx), rule_cols=rule_cols,
        needed=needed, base_names=(needed | rule_names) - touched,
        rank_inputs=tuple(sorted(probed & RANK_NAMES)), moved_points=moved_points, moved_counts=moved_counts,
        to_moved=STACKED_T[moved][:, rule_cols], moved=np.concatenate([moved_points, moved_counts]), kept=kept,
        recheck=recheck, reuse=reuse, unsupported_points=unsupported_points,
        env_names=RANK_BASE_NAMES.union(*(cond.names for cond in evaluated)) - ENGINE_FINDINGS,
        cp_probed=kb.CANT_MISS.finding in probed)


_KIND = {"c": "coexist", "o": "override"}


def _shift_bounds(plan: _ProbePlan, change: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How far up (gain) and down (loss) the probed rules' ``change`` of the moved stacked rows (one column
    per row probed) moves any subtype's adjusted points, supported or not, with the sets unchanged."""
    points_change = change[:len(plan.moved_points)]
    pts, mods = plan.unsupported_points
    if mods.size:  # an unsupported subtype leaves its modifiers out
        points_change = np.vstack([points_change, change[pts] - change[mods]])
    gain = np.maximum(points_change.max(axis=0, initial=0.0), 0.0)
    loss = np.maximum(-points_change.min(axis=0, initial=0.0), 0.0)
    return gain, loss


def _flips(recheck: list[tuple[tuple[str, int], Condition, int, np.ndarray, np.ndarray]],
           rows_env: Mapping[str, np.ndarray], supported: np.ndarray, hit: np.ndarray, hit_rows: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, dict[tuple[str, int], np.ndarray]]:
    """For the probed rows ``hit`` (of the probe's rows, whose arrays ``rows_env`` holds; ``hit_rows`` of all
    rows): how many re-checked
    co-existence / override conditions change whether they are in force, the summed reach (in the base
    ranking) of those that do, and every condition's new state. ``recheck``: (key, condition, gate, in
    force at the probe's rows, reach at all rows) for each condition."""
    flips = np.zeros(hit.size, dtype=np.int8)
    widen = np.zeros(hit.size, dtype=np.float32)
    states = {}
    for key, cond, gate, base_in_force, reach in recheck:
        # Evaluated over all the probe's rows and then taken at the hits: one gather instead of one per name.
        states[key] = state = cond.evaluate(rows_env)[hit]
        flip = np.flatnonzero(_in_force(state, gate, supported, hit_rows) != base_in_force[hit])
        flips[flip] += 1
        widen[flip] += reach[hit_rows[flip]]
    return flips, widen, states


def _probe_inputs(plan: _ProbePlan, values: Mapping[str, np.ndarray], env: Mapping[str, np.ndarray],
                  rows: np.ndarray) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The probe's ``rows`` of the inputs its findings read and of what else they and its rules read, with
    the findings true once the input is known set true."""
    sub_values = {f: values[f][rows] for f in plan.needed if f in values}
    # (findings are computed from the inputs given: those are not gathered twice)
    base = {f: env[f][rows] for f in plan.base_names if f in env and f not in sub_values}
    base.update((name, np.full(rows.size, TRUE, dtype=np.uint8)) for name in plan.known_true)
    return sub_values, base


def _probe_by_input(values: Mapping[str, np.ndarray], env: Mapping[str, np.ndarray], rule_state: np.ndarray,
                    stacked: np.ndarray, ranked: Mapping[str, np.ndarray], thresholds: Thresholds, n: int
                    ) -> np.ndarray:
    """Probe one input at a time over the rows where it is unknown (``rule_state`` is rule-major)."""
    out = np.zeros((len(PROBE_NAMES), n), dtype=np.int16)  # probe-major: each probe updates one contiguous row
    states = {key: state for key, state, _ in rank_conditions(ranked)}
    reach = {key: ranked[f"{_KIND[key[0]]}_reach"][key[1]] for key, _ in RANK_CONDITIONS}
    for k, (_, probe_values, group) in enumerate(_PROBES):
        plan = _probe_plan(k)
        if plan is None:
            continue
        rows = np.flatnonzero(_probe_unknown(values, group))
        if rows.size == 0:
            continue
        sub_values, sub_env_base = _probe_inputs(plan, values, env, rows)
        env_at_rows = _Gather({}, _ALL, env, rows)  # the base arrays at the probe's rows, for every value
        base_conf = ranked["confidence"][rows]
        base_fired = np.take(rule_state[plan.rule_cols], rows, axis=1) == TRUE  # (probed rules, rows)
        base_rank_inputs = {name: env[name][rows] for name in plan.rank_inputs}
        recheck = [(key, cond, gate, _in_force(states[key][rows], gate, ranked["supported"], rows), reach[key])
                   for key, cond, gate in plan.recheck]
        base_cp = env[kb.CANT_MISS.finding][rows] if plan.cp_probed else np.empty(0, dtype=np.uint8)
        n_points = len(plan.moved_points)
        for value in probe_values:
            sub_values[plan.set_field] = np.full(rows.size, value, dtype=values[plan.set_field].dtype)
            sub_env = compute_findings(sub_values, thresholds, only=plan.computed, base=sub_env_base)
            fired = np.empty_like(base_fired)
            for c, r in enumerate(plan.rules):
                fired[c] = r.cond.evaluate(sub_env) == TRUE
            # Only rows where some rule or ranking input changed can rank differently.
            diff = fired.view(np.int8) - base_fired.view(np.int8)
            changed = diff.any(axis=0)
            for name in plan.rank_inputs:
                changed |= ~_same(sub_env[name], base_rank_inputs[name])
            hit = np.flatnonzero(changed)
            if hit.size == 0:
                continue
            hit_rows = rows[hit]
            hit_env = _Gather(sub_env, hit, env, hit_rows)
            rows_env = _Gather(sub_env, _ALL, env_at_rows, _ALL)
            # The stacked sums move by the probed rules' difference.
            change = plan.to_moved @ diff[:, hit].astype(np.float32)  # (moved stacked rows, hits)
            gain, loss = _shift_bounds(plan, change)
            counts = stacked[plan.moved_counts[:, None], hit_rows]
            same = ((counts > 0) == ((counts + change[n_points:]) > 0)).all(axis=0)
            if plan.cp_probed:
                same &= hit_env[kb.CANT_MISS.finding] == base_cp[hit]
            # With the sets unchanged, the rule-derived findings the conditions read are too. One condition
            # may change whether it is in force: its step's reach in the base ranking widens the bounds.
            flips, widen, new_states = _flips(recheck, rows_env, ranked["supported"], hit, hit_rows)
            # Only rows whose sets stay and where at most one condition changes can be settled by the bound.
            maybe = np.flatnonzero(same & (flips <= 1))
            settled = np.zeros(hit.size, dtype=bool)
            settled[maybe], confidence = _settle(ranked, hit_rows[maybe], gain[maybe] + widen[maybe],
                                                 loss[maybe] + widen[maybe],
                                                 _Gather(sub_env, hit[maybe], env, hit_rows[maybe]))
            done = maybe[settled[maybe]]
            out[k, hit_rows[done]] += (confidence[settled[maybe]] != base_conf[hit[done]]).astype(np.int16)
            # Rows the bound cannot settle are ranked in full.
            open_ = np.flatnonzero(~settled)
            if open_.size == 0:
                continue
            hit, hit_rows = hit[open_], hit_rows[open_]
            moved_stack = np.take(stacked, hit_rows, axis=1)
            moved_stack[plan.moved] += change[:, open_]
            # The conditions re-checked above without the rule-derived findings keep their new states.
            fixed = {key: states[key][hit_rows] for key in plan.kept}
            fixed.update((key, new_states[key][open_]) for key in plan.reuse)
            res = rank({f: sub_env[f][hit] if f in sub_env else env[f][hit_rows] for f in plan.env_names},
                       moved_stack, full=False, fixed=fixed)
            out[k, hit_rows] += 10 * (res["top"] != ranked["top"][hit_rows]) + (
                res["confidence"] != base_conf[hit])
    return out




def reference_decisiveness(values: Mapping[str, np.ndarray], n: int, thresholds: Thresholds) -> np.ndarray:
    """The plain definition of the ``missing`` analysis, for tests: (n, probes) decisiveness.

    Every probe value is set in a copy of all rows where the probe applies and the copy is ranked in full
    (rows are independent, so one copy per value is one variant per row); nothing is bounded, gated or
    reused. :func:`decisiveness` must give the same numbers.
    """
    base = core(values, n, thresholds)[3]
    out = np.zeros((len(_PROBES), n), dtype=np.int16)
    for k, (name, probe_values, group) in enumerate(_PROBES):
        rows = _probe_unknown(values, group)
        for value in probe_values:
            variant = {f: v.copy() for f, v in values.items()}
            variant[_PROBE_SET_FIELD[name]][rows] = value
            ranked = core(variant, n, thresholds)[3]
            changed = 10 * (ranked["top"] != base["top"]) + (ranked["confidence"] != base["confidence"])
            out[k] += np.where(rows, changed, 0).astype(np.int16)
    low = base["confidence"] == 0
    for name in kb.CONFIDENCE.needs_probes:
        k = PROBE_NAMES.index(name)
        out[k] += np.where(low & _probe_unknown(values, _PROBES[k][2]), 10, 0).astype(np.int16)
    return out.T
