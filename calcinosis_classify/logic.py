"""Tri-state (Kleene) condition expressions: parse and validate once, evaluate over arrays.

A condition is a Python-syntax boolean expression over finding names using
``&``, ``|``, ``~``, parentheses, the constant ``true`` and the functions
``known(x)``, ``unknown(x)``, ``not_known(x)`` and ``any_known(x, y, ...)``
(true when any of the named inputs is known: one pass instead of a chain of ``known() |``). Only those forms are
accepted: anything else fails when the knowledge base is loaded.
Values are ``uint8``: 0 false, 1 unknown, 2 true.

There is one evaluator: straight-line code generated from the validated syntax tree
(:func:`compile_batch`), used for one condition and for a set of conditions alike.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Condition", "ConditionSyntaxError", "compile_batch", "compile_condition"]

F, U, T = np.uint8(0), np.uint8(1), np.uint8(2)
Env = Mapping[str, np.ndarray]
BatchEvaluator = Callable[[Env, int], list[np.ndarray]]
_FUNCTIONS = ("known", "unknown", "not_known", "any_known")


class ConditionSyntaxError(ValueError):
    """The expression uses a form the condition language does not have."""


@dataclass(frozen=True)
class Condition:
    """A compiled condition: its text, the names it reads, its validated syntax tree and its evaluator.

    ``evaluate(env)`` returns the tri-state ``uint8`` array of the condition over the rows of ``env``.
    """

    text: str
    names: frozenset[str]
    tree: ast.Expression
    evaluate: Callable[[Env], np.ndarray]


_NONE = np.array(None, dtype=object)


def _known_mask(x: np.ndarray) -> np.ndarray:
    """Known-ness of a tri-state finding, a float (NaN unknown), a flag (-1 unknown) or text (None unknown)."""
    if x.dtype == np.uint8:
        return x != U
    if x.dtype.kind == "f":
        return ~np.isnan(x)
    if x.dtype.kind in "iu":
        return x >= 0
    return np.not_equal(x, _NONE)  # one comparison per cell in numpy's loop, no Python per row


def _known_cell(x: np.ndarray) -> bool:
    """Known-ness of the only cell of a one-row array (as :func:`_known_mask` tests it)."""
    v = x[0]
    if x.dtype == np.uint8:
        return bool(v != U)
    if x.dtype.kind == "f":
        return bool(v == v)  # NaN is the only value unequal to itself
    if x.dtype.kind in "iu":
        return bool(v >= 0)
    return v is not None


_STACK_KNOWN_UP_TO = 64  # rows up to which any_known() tests the arrays of each dtype stacked (a few calls)


def _any_known(*arrays: np.ndarray) -> np.ndarray:
    n = len(arrays[0])
    if n == 1:  # a single case: one scalar test per name instead of two array operations
        return np.array([T if any(map(_known_cell, arrays)) else F], dtype=np.uint8)
    if n <= _STACK_KNOWN_UP_TO:  # a few rows (a case and its probe variants): per-call cost is the cost
        by_dtype: dict[np.dtype, list[np.ndarray]] = {}
        for x in arrays:
            by_dtype.setdefault(x.dtype, []).append(x)
        known = np.zeros(n, dtype=bool)
        for same in by_dtype.values():
            known |= _known_mask(np.concatenate(same).reshape(len(same), n)).any(axis=0)
        return known.view(np.uint8) << 1
    mask = _known_mask(arrays[0]).copy()
    for x in arrays[1:]:
        mask |= _known_mask(x)
    return mask.view(np.uint8) << 1


def _known_state(x: np.ndarray, want_known: bool) -> np.ndarray:
    mask = _known_mask(x)
    if not want_known:
        mask = ~mask
    return mask.view(np.uint8) << 1  # True -> 2 (T), False -> 0 (F)


def _validate(node: ast.AST, names: set[str], text: str) -> None:
    """Check that ``node`` uses only the forms of the condition language; collect the names it reads."""
    if isinstance(node, ast.Expression):
        _validate(node.body, names, text)
    elif isinstance(node, ast.Name):
        if node.id != "true":
            names.add(node.id)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.BitAnd, ast.BitOr)):
        _validate(node.left, names, text)
        _validate(node.right, names, text)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Invert):
        _validate(node.operand, names, text)
    elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "any_known"
          and node.args and not node.keywords):
        if not all(isinstance(a, ast.Name) and a.id != "true" for a in node.args):
            raise ConditionSyntaxError(f"any_known() takes names only, in {text!r}")
        names.update(a.id for a in node.args if isinstance(a, ast.Name))
    elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS
          and len(node.args) == 1 and not node.keywords):
        arg = node.args[0]
        if node.func.id != "not_known" and not (isinstance(arg, ast.Name) and arg.id != "true"):
            raise ConditionSyntaxError(f"{node.func.id}() takes a single name, in {text!r}")
        _validate(arg, names, text)
    else:
        raise ConditionSyntaxError(f"unsupported expression {ast.dump(node)[:60]!r} in {text!r}; "
                                   f"use names, &, |, ~, parentheses, known(), unknown(), not_known(), any_known()")


def compile_condition(text: str) -> Condition:
    """Parse, validate and compile a condition.

    Raises
    ------
    ConditionSyntaxError
        If the text is not a valid condition.
    """
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ConditionSyntaxError(f"cannot parse {text!r}: {exc.msg}") from None
    names: set[str] = set()
    _validate(tree, names, text)
    single = _generate([tree])

    def evaluate(env: Env) -> np.ndarray:
        return single(env, len(next(iter(env.values()))) if env else 0)[0]

    return Condition(text, frozenset(names), tree, evaluate)


def compile_batch(conditions: Sequence[Condition]) -> BatchEvaluator:
    """One function evaluating many conditions: ``f(env, n)`` returns their states in order.

    Straight-line code generated from the conditions' validated trees: every name read once, every
    distinct subexpression computed once, no call per node.
    """
    return _generate([c.tree for c in conditions])


def compile_sequence(steps: Sequence[tuple[str, Condition]]) -> BatchEvaluator:
    """One function evaluating named conditions in order, each able to read the ones before it by name:
    ``f(env, n)`` returns their states in order (``env`` holds every other name they read).

    Composite findings are such a sequence; on a single case, one call instead of one per composite is most
    of their cost.
    """
    generator = _Generator()
    results = []
    for name, cond in steps:
        results.append(generator.gen(cond.tree))
        generator.aliases[name] = results[-1]
    return _compiled(generator, results)


class _Generator:
    """Emits one assignment per distinct subexpression of validated condition trees."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.seen: dict[str, str] = {}
        self.aliases: dict[str, str] = {}  # names computed earlier in the same function -> their variable

    def emit(self, key: str, code: str) -> str:
        if key not in self.seen:
            self.seen[key] = f"v{len(self.seen)}"
            self.lines.append(f"    {self.seen[key]} = {code}")
        return self.seen[key]

    def gen(self, node: ast.AST) -> str:
        key = ast.dump(node)
        if isinstance(node, ast.Expression):
            return self.gen(node.body)
        if isinstance(node, ast.Name):
            if node.id == "true":
                return self.emit(key, "_full(n, _T, dtype=_u8)")
            if node.id in self.aliases:
                return self.aliases[node.id]
            return self.emit(key, f"env[{node.id!r}]")
        if isinstance(node, ast.BinOp):
            op = "_min" if isinstance(node.op, ast.BitAnd) else "_max"
            return self.emit(key, f"{op}({self.gen(node.left)}, {self.gen(node.right)})")
        if isinstance(node, ast.UnaryOp):
            return self.emit(key, f"(_T - {self.gen(node.operand)}).astype(_u8)")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            arg = node.args[0]
            if node.func.id == "any_known":
                names = ", ".join(self.gen(a) for a in node.args if isinstance(a, ast.Name))
                return self.emit(key, f"_any_known({names})")
            if node.func.id in ("known", "unknown") and isinstance(arg, ast.Name):
                return self.emit(key, f"_known_state({self.gen(arg)}, {node.func.id == 'known'})")
            if node.func.id == "not_known":
                return self.emit(key, f"_where({self.gen(arg)} == _T, _F, _T).astype(_u8)")
        # Only validated trees reach here; anything else is a programming error, reported as such.
        raise ConditionSyntaxError(f"cannot generate code for {ast.dump(node)[:60]!r}: not a validated condition")


def _generate(trees: Sequence[ast.Expression]) -> BatchEvaluator:
    generator = _Generator()
    return _compiled(generator, [generator.gen(tree) for tree in trees])


def _compiled(generator: _Generator, results: Sequence[str]) -> BatchEvaluator:
    source = "def evaluate(env, n):\n" + "\n".join(generator.lines) + f"\n    return [{', '.join(results)}]\n"
    namespace: dict[str, Any] = {"_min": np.minimum, "_max": np.maximum, "_where": np.where, "_full": np.full,
                                 "_T": T, "_F": F, "_u8": np.uint8, "_known_state": _known_state,
                                 "_any_known": _any_known}
    # The source holds only names checked by _validate (identifiers, quoted with repr) and fixed templates.
    exec(compile(source, "<conditions>", "exec"), namespace)
    evaluate: BatchEvaluator = namespace["evaluate"]
    return evaluate
