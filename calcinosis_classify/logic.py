"""Tri-state (Kleene) condition expressions: parse once, evaluate over arrays.

A condition is a Python-syntax boolean expression over finding names using
``&``, ``|``, ``~``, parentheses, the constant ``true`` and the functions
``known(x)``, ``unknown(x)`` and ``not_known(x)``. Only those forms are
accepted: anything else fails when the knowledge base is loaded.
Values are ``uint8``: 0 false, 1 unknown, 2 true.
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
Evaluator = Callable[[Env], np.ndarray]


class ConditionSyntaxError(ValueError):
    """The expression uses a form the condition language does not have."""


@dataclass(frozen=True)
class Condition:
    """A compiled condition: its text, the names it reads and its evaluator."""

    text: str
    names: frozenset[str]
    evaluate: Evaluator


def _known_mask(x: np.ndarray) -> np.ndarray:
    """Known-ness of a tri-state finding, a float (NaN unknown) or a flag (-1 unknown)."""
    if x.dtype == np.uint8:
        return x != U
    if x.dtype.kind == "f":
        return ~np.isnan(x)
    if x.dtype.kind in "iu":
        return x >= 0
    return np.array([v is not None for v in x], dtype=bool)


def _build(node: ast.AST, names: set[str], text: str) -> Evaluator:
    if isinstance(node, ast.Expression):
        return _build(node.body, names, text)
    if isinstance(node, ast.Name):
        if node.id == "true":
            return lambda env: np.full(len(next(iter(env.values()))), T, dtype=np.uint8)
        names.add(node.id)
        name = node.id
        return lambda env: env[name]
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.BitAnd, ast.BitOr)):
        left, right = _build(node.left, names, text), _build(node.right, names, text)
        op = np.minimum if isinstance(node.op, ast.BitAnd) else np.maximum
        return lambda env: op(left(env), right(env))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Invert):
        inner = _build(node.operand, names, text)
        return lambda env: (T - inner(env)).astype(np.uint8)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and len(node.args) == 1
            and not node.keywords and node.func.id in ("known", "unknown", "not_known")):
        func = node.func.id
        arg = node.args[0]
        if func in ("known", "unknown"):
            if not isinstance(arg, ast.Name):
                raise ConditionSyntaxError(f"{func}() takes a single name, in {text!r}")
            names.add(arg.id)
            name = arg.id
            want_known = func == "known"
            return lambda env: np.where(_known_mask(env[name]) == want_known, T, F).astype(np.uint8)
        inner = _build(arg, names, text)
        return lambda env: np.where(inner(env) == T, F, T).astype(np.uint8)
    raise ConditionSyntaxError(f"unsupported expression {ast.dump(node)[:60]!r} in {text!r}; "
                               f"use names, &, |, ~, parentheses, known(), unknown(), not_known()")


def compile_condition(text: str) -> Condition:
    """Parse and compile a condition.

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
    evaluate = _build(tree, names, text)
    return Condition(text, frozenset(names), evaluate)


# --------------------------------------------------------------------------- batches

BatchEvaluator = Callable[[Env, int], list[np.ndarray]]


def _known_state(x: np.ndarray, want_known: bool) -> np.ndarray:
    return np.where(_known_mask(x) == want_known, T, F).astype(np.uint8)


def compile_batch(conditions: Sequence[Condition]) -> BatchEvaluator:
    """One function evaluating many conditions: ``f(env, n)`` returns their states in order.

    Generated as straight-line code: every name read once, every distinct subexpression computed once,
    no call per node. The values are those of each condition's own :attr:`Condition.evaluate` (the
    same numpy operations); on a single case, where the cost is per call, it is much cheaper.
    """
    lines: list[str] = []
    seen: dict[str, str] = {}

    def emit(key: str, code: str) -> str:
        if key not in seen:
            seen[key] = f"v{len(seen)}"
            lines.append(f"    {seen[key]} = {code}")
        return seen[key]

    def gen(node: ast.AST) -> str:
        if isinstance(node, ast.Expression):
            return gen(node.body)
        key = ast.dump(node)
        if isinstance(node, ast.Name):
            if node.id == "true":
                return emit(key, "_full(n, _T, dtype=_u8)")
            return emit(key, f"env[{node.id!r}]")
        if isinstance(node, ast.BinOp):
            left, right = gen(node.left), gen(node.right)
            op = "_min" if isinstance(node.op, ast.BitAnd) else "_max"
            return emit(key, f"{op}({left}, {right})")
        if isinstance(node, ast.UnaryOp):
            return emit(key, f"(_T - {gen(node.operand)}).astype(_u8)")
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        arg = node.args[0]
        if node.func.id in ("known", "unknown"):
            assert isinstance(arg, ast.Name)
            return emit(key, f"_known_state(env[{arg.id!r}], {node.func.id == 'known'})")
        return emit(key, f"_where({gen(arg)} == _T, _F, _T).astype(_u8)")

    results = [gen(ast.parse(c.text.strip(), mode="eval")) for c in conditions]
    source = "def evaluate(env, n):\n" + "\n".join(lines) + f"\n    return [{', '.join(results)}]\n"
    namespace: dict[str, Any] = {"_min": np.minimum, "_max": np.maximum, "_where": np.where, "_full": np.full,
                                 "_T": T, "_F": F, "_u8": np.uint8, "_known_state": _known_state}
    exec(compile(source, "<conditions>", "exec"), namespace)  # source built above from parsed conditions
    evaluate: BatchEvaluator = namespace["evaluate"]
    return evaluate
