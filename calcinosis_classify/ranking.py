"""Rank the subtypes of every row: rule states -> points -> co-existence and overrides -> top,
confidence; calciphylaxis risk and urgency (all numpy over whole columns).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

import numpy as np

from calcinosis_classify import knowledge as kb
from calcinosis_classify.compiled import ENGINE_FINDINGS, KB, SUB_INDEX, SUBTYPES, S
from calcinosis_classify.errors import KnowledgeBaseError
from calcinosis_classify.findings import (
    TRUE,
    absent_inputs,
    compute_findings,
    unknown_closure,
    unknown_defaults,
)
from calcinosis_classify.knowledge.thresholds import Thresholds
from calcinosis_classify.logic import Condition, compile_batch

# Ties (clinical-spec §6.4): can't-miss first (a bonus of _CANT_MISS_TIE when its finding holds), then the
# declared order; the steps are far below the half points adjusted scores move in.
_TIE = np.array([0.001 * (S - 1 - kb.TIE_ORDER.index(s)) for s in SUBTYPES])
_CANT_MISS_TIE = np.float32(0.01)
_SUPPORTED_TIE = np.float32(0.05)  # on equal points a supported subtype comes before a candidate-only one
CANT_MISS_INDEX = SUB_INDEX[kb.CANT_MISS.subtype]
HIGH_MARGIN = np.float32(kb.CONFIDENCE.high_margin)
# Per subtype: points, support, strong support, phenotype matches, candidate rules, modifier points.
_STACKED = np.hstack([KB.points, KB.positive, KB.strong, KB.phenotype, KB.candidate,
                      KB.points * KB.modifier]).astype(np.float32)
STACKED_T = np.ascontiguousarray(_STACKED.T)
_PRIOR32 = KB.prior.astype(np.float32)
_TIE32 = _TIE.astype(np.float32)
# Findings read by the ranking stage itself and by override / co-existence conditions.
# What rank reads from the findings environment besides the condition names (confidence, tie-break).
RANK_BASE_NAMES = frozenset({kb.CONFIDENCE.graded, kb.CONFIDENCE.kidney_known, kb.CANT_MISS.finding})
RANK_NAMES = RANK_BASE_NAMES.union(
    *(c.names for _, c in KB.overrides), *(c.names for _, c in KB.coexistence)) - ENGINE_FINDINGS


_STRONG_OTHER_NAMES = tuple(f"strong_other_{s}" for s in SUBTYPES)
_STRONG_OTHER = frozenset(_STRONG_OTHER_NAMES)
_PHENOTYPE_NAMES = tuple(f"phenotype_{s}" for s in SUBTYPES)
_PHENOTYPE = frozenset(_PHENOTYPE_NAMES)
_COEX_PRIMARY = np.array([SUB_INDEX[c.primary] for c, _ in KB.coexistence], dtype=np.intp)
_COEX_CONTRIBUTING = np.array([[c.contributing == s for c, _ in KB.coexistence] for s in SUBTYPES], dtype=np.uint8)
RANK_CONDITIONS: tuple[tuple[tuple[str, int], Condition], ...] = (
    *((("c", k), cond) for k, (_, cond) in enumerate(KB.coexistence)),
    *((("o", k), cond) for k, (_, cond) in enumerate(KB.overrides)))


def rank_conditions(ranked: Mapping[str, Any]) -> list[tuple[tuple[str, int], np.ndarray, Condition]]:
    """Every co-existence and override condition with its key and its state in ``ranked`` (all rows)."""
    states = {"c": ranked["coexist_state"], "o": ranked["override_state"]}
    return [(key, states[key[0]][:, key[1]], cond) for key, cond in RANK_CONDITIONS]


def _rule_matrix(env: Mapping[str, np.ndarray], n: int, skip: frozenset[str] = frozenset(),
                 thresholds: Thresholds | None = None) -> np.ndarray:
    """Tri-state of every rule, rule-major: shape (R, n), one contiguous row per rule. Rules reading only
    ``skip`` names take their all-unknown state."""
    if n <= _FEW_ROWS:  # every rule in one generated function: per-call cost is the cost here
        return _as_states(_RULE_BATCH(env, n), n)
    out = np.empty((len(KB.rules), n), dtype=np.uint8)
    defaults = _unknown_rule_state(thresholds) if skip and thresholds is not None else None
    for r in KB.rules:
        if defaults is not None and r.cond.names <= skip:
            out[r.index] = defaults[r.index]
        else:
            out[r.index] = r.cond.evaluate(env)
    return out


@lru_cache(maxsize=16)
def _unknown_rule_state(thresholds: Thresholds) -> np.ndarray:
    """Each rule's state when no input is known."""
    return _rule_matrix(unknown_defaults(thresholds), 1)[:, 0]


def _stack(rule_state: np.ndarray) -> np.ndarray:
    """Points, support, strong support and phenotype matches per subtype: one matrix product of the
    rule-major (R, n) states.

    Subtype-major, shape (6S, n): every per-subtype quantity is one contiguous row, so the ranking
    below works on whole contiguous arrays (numpy's reductions along short rows are slow).
    """
    n = rule_state.shape[1]
    if n == 0:  # no rows (an empty frame, a header): no call into BLAS, whose threads would then spin
        return np.zeros((STACKED_T.shape[0], 0), dtype=np.float32)
    if n <= _STACK_BLOCK:
        return STACKED_T @ (rule_state == TRUE).astype(np.float32)
    # In column blocks: the 0/1 matrix of a block stays in cache instead of a full-size float copy. Each
    # subtype's rows take one product with only the rules that move them (a rule speaks for one subtype: a
    # fifth of the full product). The sums are of whole points, exact in any order.
    out = np.empty((STACKED_T.shape[0], n), dtype=np.float32)
    block = np.empty((rule_state.shape[0], _STACK_BLOCK), dtype=np.float32)
    for start in range(0, n, _STACK_BLOCK):
        stop = min(n, start + _STACK_BLOCK)
        fired = block[:, :stop - start]
        np.equal(rule_state[:, start:stop], TRUE, out=fired, casting="unsafe")
        for rows, rules, weights in _STACK_PARTS:
            out[rows, start:stop] = weights @ fired[rules]
    return out


_STACK_BLOCK = 16384


def _stack_parts() -> tuple[tuple[slice, slice | np.ndarray, np.ndarray], ...]:
    """Per subtype: its stacked rows (every S-th from its index), the rules with a weight in them (a slice
    when they are consecutive, as the knowledge base lists them) and those weights."""
    parts = []
    for j in range(S):
        rows = slice(j, None, S)
        used = np.flatnonzero((STACKED_T[rows] != 0).any(axis=0))
        if used.size == 0:
            continue
        consecutive = used.size == used[-1] - used[0] + 1
        rules = slice(int(used[0]), int(used[-1]) + 1) if consecutive else used
        parts.append((rows, rules, np.ascontiguousarray(STACKED_T[rows][:, used])))
    return tuple(parts)


_STACK_PARTS = _stack_parts()


def _first_max(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(Index of the first maximum, maximum) over the subtype axis of a (S, n) array."""
    if a.shape[1] <= _FEW_ROWS:
        idx = a.argmax(axis=0)
        return idx, a[idx, np.arange(a.shape[1])]
    top = a.max(axis=0)
    idx = np.full(a.shape[1], a.shape[0] - 1, dtype=np.intp)
    for j in range(a.shape[0] - 2, -1, -1):
        idx = np.where(a[j] == top, j, idx)
    return idx, top


def tie_broken(adj: np.ndarray, supported: np.ndarray, env: Mapping[str, np.ndarray]) -> np.ndarray:
    """Subtype-major (S, n) ordering keys: ``adj`` plus the tie-breakers of §6.4 step 2, each far below the
    half points ``adj`` moves in (a supported subtype before a candidate-only one, then can't-miss status,
    then the declared order). The top and the differential are both ordered by it."""
    key = adj + _TIE32[:, None].astype(adj.dtype) + supported * _SUPPORTED_TIE
    key[CANT_MISS_INDEX] += (env[kb.CANT_MISS.finding] == TRUE) * _CANT_MISS_TIE
    return key


def graded_rows(env: Mapping[str, np.ndarray]) -> np.ndarray:
    """Rows whose confidence can be above low: the inputs the confidence policy needs are known."""
    return env[kb.CONFIDENCE.graded] == TRUE


def kidney_known(env: Mapping[str, np.ndarray]) -> np.ndarray:
    return env[kb.CONFIDENCE.kidney_known] == TRUE


# Up to this many rows, reductions over the subtype axis are single numpy calls; above it, running maxima
# over contiguous rows (reductions along short strided rows are slow on long arrays).
_FEW_ROWS = 2048


def _top_two(a: np.ndarray, skip: int = -1, second: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Largest and second largest (a tie counts twice) over the subtype rows of ``a`` other than ``skip``:
    running maxima, no copies of the whole array."""
    if a.shape[1] <= _FEW_ROWS:  # few rows: a reduction or a partial sort is one call
        rest = a if skip < 0 else a[_OTHERS[skip]]
        if not second:
            first = rest.max(axis=0)
            return first, first
        part = np.partition(rest, rest.shape[0] - 2, axis=0)
        return part[-1], part[-2]
    rows = [a[j] for j in range(a.shape[0]) if j != skip]
    first = np.maximum(rows[0], rows[1])
    if not second:
        for r in rows[2:]:
            np.maximum(first, r, out=first)
        return first, first
    runner = np.minimum(rows[0], rows[1])
    for r in rows[2:]:
        np.maximum(runner, np.minimum(first, r), out=runner)
        np.maximum(first, r, out=first)
    return first, runner


def rank(env: dict[str, np.ndarray], stacked: np.ndarray, full: bool = True,
         fixed: Mapping[tuple[str, int], np.ndarray] | None = None, bounds: bool = True) -> dict[str, Any]:
    """Points -> co-existence/overrides -> ranking, top, confidence (for all rows of ``env``).

    ``stacked`` is :func:`_stack` of the rule states (subtype-major); ``full=False`` skips the complete
    ordering and the (n, S) outputs (the missing-data probes need only the top subtype and confidence).
    ``fixed`` gives co-existence (``("c", k)``) and override (``("o", k)``) states known not to change;
    ``bounds=False`` leaves out what only input-by-input probing reads (see :func:`missing._settle`).
    """
    fixed = fixed or {}
    n = stacked.shape[1]
    points = stacked[:S]
    supported = stacked[S:2 * S] > 0
    _add_rule_derived_findings(env, stacked, full, fixed)
    # float32 throughout: adjusted points are whole or half points (exact), and the tie-breakers stay
    # far apart (0.001 against a float32 spacing of about 1e-5 at these magnitudes).
    # A candidate without support is ordered by its points but cannot be named (top needs support); subtypes
    # with neither are pushed below every other. The prior (the base rate, §6.2) counts for every listed
    # subtype; modifiers (age bands, risk factors) only for a supported one.
    listed = supported | (stacked[4 * S:5 * S] > 0)
    adj = points - stacked[5 * S:] * ~supported + _PRIOR32[:, None] * listed
    adj = np.where(listed, adj, np.minimum(adj, 0.0) - 100.0)
    # The reach of every co-existence and override step (see _settle in missing.py): only what
    # input-by-input probing reads, so only for a full ranking with its bounds.
    reach = bounds and full
    coexist_reach = np.zeros((len(KB.coexistence), n), dtype=np.float32) if reach else None
    override_reach = np.zeros((len(KB.overrides), n), dtype=np.float32) if reach else None
    coexist_state, on = _coexist(env, adj, supported, n, full, fixed, coexist_reach)
    # Overrides change the order, not who is listed: differential membership reads the points before them.
    before_overrides = adj.copy() if full else adj
    override_state = _override(env, adj, supported, n, fixed, override_reach)
    key = tie_broken(adj, supported, env)
    # The tie-breakers are far smaller than the 0.5-point steps of adj, so ordering by key is ordering by
    # adj with ties broken: the best key has the highest adj, and the margin is the highest adj minus the
    # second highest (a tie counting twice).
    best, _ = _first_max(key)
    best_adj, runner_up = _top_two(adj)
    cols = np.arange(n)
    top = np.where(supported[best, cols] & (best_adj > 0), best, -1)
    # §6.2 compares scores, which are never negative: a runner-up with no support, or with net evidence
    # against it, counts as 0, so a lone subtype needs 3 points of its own for "high".
    margin = best_adj - np.maximum(runner_up, 0.0)
    confidence = np.where(~graded_rows(env) | (top < 0), 0,
                          np.where((margin >= HIGH_MARGIN) & kidney_known(env), 2, 1))
    out: dict[str, Any] = {"top": top, "confidence": confidence}
    if full:
        # (n, S) views of the subtype-major arrays. Contributing subtypes: one product of the
        # subtype-by-condition incidence and the conditions on.
        contributing = (_COEX_CONTRIBUTING @ on.view(np.uint8)) > 0
        out.update({"points": points.T, "adjusted": adj.astype(np.float64).T, "supported": supported.T,
                    "listed": ((before_overrides >= 1.0) | (adj >= 1.0)).T,
                    "candidate": (stacked[4 * S:5 * S] > 0).T,
                    "contributing": contributing.T, "coexist_state": coexist_state.T,
                    "override_state": override_state.T})
        if bounds:
            # What the missing-data probes need to settle a change of points without re-ranking (see
            # missing._settle): the lead of the best key over the next, the best subtype's adjusted points,
            # the margin, and how far each co-existence / override step would move (or moved) its subtype.
            best_key = key[best, cols]
            key[best, cols] = -np.inf
            out.update({"key_gap": best_key - key.max(axis=0), "best_adj": best_adj,
                        "best_supported": supported[best, cols], "margin": margin,
                        "coexist_reach": coexist_reach, "override_reach": override_reach})
    return out


def _add_rule_derived_findings(env: dict[str, np.ndarray], stacked: np.ndarray, full: bool,
                               fixed: Mapping[tuple[str, int], np.ndarray]) -> None:
    """The findings override and co-existence conditions read from the rules themselves (``strong_other_*``,
    ``phenotype_*``), added to ``env`` (all of them for a full ranking, else only those still read)."""
    wanted = ENGINE_FINDINGS if full else frozenset().union(
        *(cond.names for key, cond in RANK_CONDITIONS if key not in fixed)) & ENGINE_FINDINGS
    if wanted & _STRONG_OTHER:
        strong = stacked[2 * S:3 * S] > 0
        # Some other subtype has strong support: more strongly supported subtypes than this one alone.
        # (one (S, n) array for all subtypes: a row per finding)
        other = (strong.sum(axis=0) > strong).view(np.uint8) * TRUE
        env.update((name, other[j]) for j, name in enumerate(_STRONG_OTHER_NAMES) if name in wanted)
    if wanted & _PHENOTYPE:
        phenotype = (stacked[3 * S:4 * S] > 0).view(np.uint8) * TRUE
        env.update((name, phenotype[j]) for j, name in enumerate(_PHENOTYPE_NAMES) if name in wanted)


def _coexist(env: dict[str, np.ndarray], adj: np.ndarray, supported: np.ndarray, n: int, full: bool,
             fixed: Mapping[tuple[str, int], np.ndarray], reach: np.ndarray | None = None
             ) -> tuple[np.ndarray, np.ndarray]:
    """Co-existence (§6.5): every condition's state, then the lifts in order (primary above contributing),
    each only if it is on somewhere; ``adj`` is updated in place. Returns (states, which are on).

    A contributing-only condition moves neither the top nor the confidence, so a partial ranking skips it.
    ``reach`` (conditions, n), when given, receives how far each lift raises (or would raise) its primary
    at its step, whether or not it is on.
    """
    coexist = [k for k, (c, _) in enumerate(KB.coexistence) if full or c.primary_outranks]
    if fixed or n > _FEW_ROWS:
        coexist_state = np.empty((len(KB.coexistence), n), dtype=np.uint8)
        for k in coexist:
            coexist_state[k] = fixed[("c", k)] if ("c", k) in fixed else KB.coexistence[k][1].evaluate(env)
    else:
        coexist_state = _as_states(_COEXIST_BATCH(env, n), n)
    on = (coexist_state[coexist] == TRUE) & supported[_COEX_PRIMARY[coexist]]
    for k, on_k, any_k in zip(coexist, on, on.any(axis=1), strict=True):
        c = KB.coexistence[k][0]
        if c.primary_outranks and (any_k or reach is not None):
            p, q = SUB_INDEX[c.primary], SUB_INDEX[c.contributing]
            lifted = np.maximum(adj[p], adj[q] + 1.0)
            if reach is not None:
                reach[k] = lifted - adj[p]
            adj[p] = np.where(on_k, lifted, adj[p])
    return coexist_state, on


def _override(env: dict[str, np.ndarray], adj: np.ndarray, supported: np.ndarray, n: int,
              fixed: Mapping[tuple[str, int], np.ndarray], reach: np.ndarray | None = None) -> np.ndarray:
    """Overrides (§6.2): O3 and O4 cap, O1 lifts and is applied last so nothing can undo it; each is skipped
    where it changes nothing in any row. ``adj`` is updated in place; returns the override states.
    ``reach`` (overrides, n), when given, receives how far each action moves (or would move) its subtype
    at its step, whether or not it applies."""
    override_state = np.empty((len(KB.overrides), n), dtype=np.uint8)
    batch = _OVERRIDE_BATCH(env, n) if not fixed and n <= _FEW_ROWS else None
    for k, (o, cond) in _OVERRIDE_ORDER:
        if batch is not None:
            holds = batch[k]
        else:
            holds = fixed[("o", k)] if ("o", k) in fixed else cond.evaluate(env)
        override_state[k] = holds
        OVERRIDE_ACTIONS[o.action](adj, SUB_INDEX[o.subtype], holds, supported,
                                   None if reach is None else reach[k])
    return override_state


def _rank_at_most_third(adj: np.ndarray, j: int, holds: np.ndarray, supported: np.ndarray,
                        reach: np.ndarray | None = None) -> None:
    capped = holds == TRUE
    if capped.any() or reach is not None:
        _, second = _top_two(adj, skip=j)
        _move(adj, j, capped, np.minimum(adj[j], second - 0.5), reach)


def _lead_only_if(adj: np.ndarray, j: int, holds: np.ndarray, supported: np.ndarray,
                  reach: np.ndarray | None = None) -> None:
    capped = holds != TRUE
    if capped.any() or reach is not None:
        first, _ = _top_two(adj, skip=j, second=False)
        _move(adj, j, capped, np.minimum(adj[j], first - 0.5), reach)


def _rank_first(adj: np.ndarray, j: int, holds: np.ndarray, supported: np.ndarray,
                reach: np.ndarray | None = None) -> None:
    lifted = (holds == TRUE) & supported[j]
    if lifted.any() or reach is not None:
        first, _ = _top_two(adj, skip=j, second=False)
        _move(adj, j, lifted, np.maximum(adj[j], first + 1.0), reach)


def _move(adj: np.ndarray, j: int, where: np.ndarray, moved: np.ndarray, reach: np.ndarray | None) -> None:
    """Set subtype ``j``'s points to ``moved`` where an action applies; ``reach`` receives how far the
    action moves them (or would, where it does not apply)."""
    if reach is not None:
        np.abs(moved - adj[j], out=reach)
    adj[j] = np.where(where, moved, adj[j])


# What each override action does to the adjusted points of its subtype. Every action is monotone in the
# points and moves them by at most what the other subtypes' points move, and records its reach (how far it
# moves, or would move, its subtype) when asked: the missing-data fast path relies on both (see missing.py,
# where a new action must also be declared).
OVERRIDE_ACTIONS = {"rank_at_most_third": _rank_at_most_third, "lead_only_if": _lead_only_if,
                     "rank_first": _rank_first}


def check_override_action(name: str, action: Callable[..., None]) -> None:
    """Check what the missing-data fast path assumes of an override action (see ``missing._settle``) on a
    fixed sample of half-point scores, for every subtype, with the condition holding and not.

    The action moves only its own subtype; holding or not, it records the same reach, and whether it
    holds moves that subtype by at most the reach; it is monotone in the scores and moves them by at
    most what they move.

    Raises
    ------
    KnowledgeBaseError
        If the action breaks one of these.
    """
    rng = np.random.default_rng(0)
    adj = (rng.integers(-8, 9, size=(S, 256)) / 2).astype(np.float32)
    shift = (rng.integers(-2, 3, size=adj.shape) / 2).astype(np.float32)
    supported = rng.random(adj.shape) < 0.7
    for j in range(S):
        runs = []
        for holds in (np.full(adj.shape[1], TRUE, dtype=np.uint8), np.zeros(adj.shape[1], dtype=np.uint8)):
            out, shifted = adj.copy(), adj + shift
            reach, shifted_reach = (np.full(adj.shape[1], np.nan, dtype=np.float32) for _ in range(2))
            action(out, j, holds, supported, reach)
            action(shifted, j, holds, supported, shifted_reach)
            moved = shifted - out
            if not (moved >= shift.min(axis=0)).all() or not (moved <= shift.max(axis=0)).all():
                raise KnowledgeBaseError(name, "an override action must be monotone in the adjusted points and "
                                               "move them by at most what they move (the missing-data analysis "
                                               "bounds its probes with it); this one does not: fix it in "
                                               "ranking.OVERRIDE_ACTIONS")
            runs.append((out, reach))
        (held, reach), (not_held, other_reach) = runs
        others = np.arange(S) != j
        if (not (held[others] == adj[others]).all() or not (not_held[others] == adj[others]).all()
                or not (reach == other_reach).all() or not (np.abs(held[j] - not_held[j]) <= reach).all()):
            raise KnowledgeBaseError(name, "an override action must move only its own subtype and record in "
                                           "`reach` how far it moves (or would move) it, applied or not: fix "
                                           "it in ranking.OVERRIDE_ACTIONS")


for _o, _ in KB.overrides:
    if _o.action not in OVERRIDE_ACTIONS:
        raise KnowledgeBaseError(_o.id, f"action must be one of {', '.join(OVERRIDE_ACTIONS)}, got {_o.action!r}")
# Caps first, then lifts: a lift applied last cannot be undone by a cap.
_OVERRIDE_ORDER = tuple(sorted(enumerate(KB.overrides), key=lambda t: t[1][0].action == "rank_first"))


_RULE_BATCH = compile_batch([r.cond for r in KB.rules])
_RISK_BATCH = compile_batch([cond for _, cond in KB.risk])
_URGENCY_BATCH = compile_batch([cond for _, cond in KB.urgency])
_COEXIST_BATCH = compile_batch([cond for _, cond in KB.coexistence])
_OVERRIDE_BATCH = compile_batch([cond for _, cond in KB.overrides])
_OTHERS = tuple(np.array([i for i in range(S) if i != j]) for j in range(S))
_RISK_MAJOR = np.array([rf.level == "major" for rf, _ in KB.risk])
# (uint8: the (triggers, n) product stays one byte a cell, not eight)
_URGENCY_VALUE = np.array([[2 if u.level == "emergency" else 1] for u, _ in KB.urgency], dtype=np.uint8)
_SUBTYPE_COLUMN = np.arange(S)[:, None]
# Every action the ranking knows, checked once its helpers above exist.
for _name, _action in OVERRIDE_ACTIONS.items():
    check_override_action(_name, _action)


def _as_states(states: list[np.ndarray], n: int) -> np.ndarray:
    """Condition states (each of ``n`` rows) as one (conditions, n) uint8 array."""
    if not states:
        return np.empty((0, n), dtype=np.uint8)
    return np.array(states, dtype=np.uint8)  # one copy in C (a row-by-row assignment costs a call per state)


def risk_levels(env: Mapping[str, np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Calciphylaxis risk level per row and the (n, factors) states (a view of the factor-major array)."""
    state = _as_states(_RISK_BATCH(env, n), n)
    return risk_from_states(state, env), state.T


def risk_from_states(state: np.ndarray, env: Mapping[str, np.ndarray]) -> np.ndarray:
    """Calciphylaxis risk level (0 low, 1 moderate, 2 high) from the factor-major (factors, n) states."""
    on = state == TRUE
    major = on[_RISK_MAJOR].sum(axis=0)
    minor = on[~_RISK_MAJOR].sum(axis=0)
    sch = kb.RISK_SCHEME
    scheme_met = (major >= sch.major_for_suspected) | ((major >= 1) & (minor >= sch.minor_with_one_major))
    lesion = env[sch.lesion] == TRUE
    ischaemic = env[sch.ischaemic] == TRUE
    high = (env[sch.high_when] == TRUE) | (scheme_met & lesion)
    moderate = (env[sch.moderate_when] == TRUE) | scheme_met | (
        ischaemic & ((major >= 1) | (minor >= sch.minor_with_lesion_for_moderate)))
    return np.where(high, 2, np.where(moderate, 1, 0))


def urgency_levels(env: dict[str, np.ndarray], top: np.ndarray, risk: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Urgency level per row and the (n, triggers) states (a view of the trigger-major array)."""
    is_top = np.where(top == _SUBTYPE_COLUMN, TRUE, 0).astype(np.uint8)
    for j, s in enumerate(SUBTYPES):
        env[f"top_{s}"] = is_top[j]
    env["cp_risk_high"] = np.where(risk == 2, TRUE, 0).astype(np.uint8)
    state = _as_states(_URGENCY_BATCH(env, n), n)
    return urgency_from_states(state), state.T


def urgency_from_states(state: np.ndarray) -> np.ndarray:
    """Urgency level (0 routine, 1 urgent, 2 emergency) from the trigger-major (triggers, n) states."""
    return ((state == TRUE) * _URGENCY_VALUE).max(axis=0, initial=0).astype(np.int64)


def core(values: Mapping[str, np.ndarray], n: int, thresholds: Thresholds, full: bool = True,
          absent: frozenset[str] | None = None, bounds: bool = True
          ) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, dict[str, Any]]:
    """Findings, rule states (rule-major), stacked sums and ranking of every row (``absent``: the inputs
    unknown in every row, when already known)."""
    if absent is None:
        absent = absent_inputs(values) if n else frozenset()
    env = compute_findings(values, thresholds, absent=absent)
    rule_state = _rule_matrix(env, n, skip=unknown_closure(absent) if absent else frozenset(),
                              thresholds=thresholds)
    stacked = _stack(rule_state)
    return env, rule_state, stacked, rank(env, stacked, full=full, bounds=bounds)

