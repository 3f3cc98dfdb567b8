"""Exceptions: one root, a few subclasses that carry data.

Every subclass also derives from the built-in it resembles, so callers that
catch ``ValueError`` or ``KeyError`` keep working.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "CalcinosisClassifyError",
    "ColumnClashError",
    "DuplicateColumnError",
    "InputError",
    "InputTypeError",
    "InputWarning",
    "KnowledgeBaseError",
    "ModelFileError",
    "ThresholdError",
]


class CalcinosisClassifyError(Exception):
    """Root of every exception raised on purpose by this library."""


class InputError(CalcinosisClassifyError, ValueError):
    """The input as a whole cannot be used (not a frame, unreadable, ...).

    Problems in single cells never raise: they become warnings.
    """


class InputWarning(UserWarning):
    """Problems of whole input columns (a misspelt header, an unknown unit, site text no group recognises).

    :func:`~calcinosis_classify.score` still scores every row; the problems are also in the returned
    frame's ``attrs["column_problems"]``.
    """


class InputTypeError(InputError, TypeError):
    """Cases were passed as the wrong type of object (``classify(None)``, ``classify([...])``...).

    The message says what to pass instead.
    """


class ColumnClashError(InputError):
    """An input column has the name of an output column.

    Attributes
    ----------
    columns : tuple of str
        The clashing column names.
    """

    def __init__(self, columns: Sequence[str]):
        self.columns = tuple(columns)
        names = ", ".join(repr(c) for c in self.columns)
        super().__init__(
            f"input already has output column(s) {names}; rename them or pass "
            f"prefix='rules_' (or another prefix) so the results get their own names"
        )


class DuplicateColumnError(InputError):
    """Two or more input columns name the same thing: their names differ only in case, spaces or hyphens.

    Attributes
    ----------
    groups : tuple of tuple of str
        The clashing column names, one tuple per name they share.
    """

    def __init__(self, groups: Sequence[Sequence[str]], source: str = "the input"):
        self.groups = tuple(tuple(g) for g in groups)
        clashes = "; ".join(" and ".join(repr(c) for c in g) for g in self.groups)
        super().__init__(
            f"duplicate column names in {source}: {clashes} (names are matched ignoring case, spaces and "
            f"hyphens); rename or remove all but one of each"
        )


class KnowledgeBaseError(CalcinosisClassifyError, ValueError):
    """A rule of the knowledge base is malformed (raised at import time).

    Attributes
    ----------
    rule_id : str
        The offending rule.
    """

    def __init__(self, rule_id: str, problem: str):
        self.rule_id = rule_id
        self.problem = problem
        super().__init__(f"knowledge base: rule {rule_id!r}: {problem}")


class ThresholdError(CalcinosisClassifyError, ValueError):
    """A threshold override is unknown or outside its sane range.

    Attributes
    ----------
    name : str
        The threshold.
    """

    def __init__(self, name: str, problem: str):
        self.name = name
        super().__init__(f"threshold {name!r}: {problem}")


class ModelFileError(CalcinosisClassifyError, ValueError):
    """A saved model file is refused (tampered, truncated, wrong version...)."""
