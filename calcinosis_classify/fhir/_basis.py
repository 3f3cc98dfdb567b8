"""The ``basis`` of a FHIR read: per row, the resources its values came from, kept compact.

A million patients with a dozen resources each would cost about a kilobyte per patient as Python tuples
of strings; :class:`Basis` keeps the ids in the fixed-width arrays they were read into and builds a row's
tuple when it is asked for.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

import numpy as np

__all__ = ["Basis"]


class Basis(Sequence[tuple[str, ...]]):
    """A read-only sequence with one tuple of ``"ResourceType/id"`` strings per row (list-like: ``len``,
    indexing, slicing, iteration, ``==`` with a list of tuples, ``list(basis)``).

    Parameters
    ----------
    n : int
        Number of rows.
    parts : list of (rows, prefix, ids)
        For each kind of reference: the rows it belongs to, a prefix (``"Observation/"``, or ``""`` when
        the ids already name their type) and the ids (fixed-width UTF-8 bytes, or str objects).
    """

    def __init__(self, n: int, parts: list[tuple[np.ndarray, str, np.ndarray]]):
        self._n = n
        self._prefixes = [p for _, p, _ in parts]
        self._ids = [ids for _, _, ids in parts]
        if parts:
            rows = np.concatenate([np.asarray(r, dtype="int64") for r, _, _ in parts])
            which = np.concatenate([np.full(len(r), k, dtype="int16") for k, (r, _, _) in enumerate(parts)])
            pos = np.concatenate([np.arange(len(r), dtype="int32") for r, _, _ in parts])
        else:
            rows, which, pos = (np.zeros(0, dtype="int64"), np.zeros(0, dtype="int16"),
                                np.zeros(0, dtype="int32"))
        order = np.argsort(rows, kind="stable")
        self._which, self._pos = which[order], pos[order]
        self._bounds = np.searchsorted(rows[order], np.arange(n + 1))

    def __len__(self) -> int:
        return self._n

    def _row(self, i: int) -> tuple[str, ...]:
        a, b = self._bounds[i], self._bounds[i + 1]
        out = []
        for k, p in zip(self._which[a:b].tolist(), self._pos[a:b].tolist(), strict=True):
            ident = self._ids[k][p]
            out.append(self._prefixes[k] + (ident.decode("utf-8", "replace") if isinstance(ident, bytes)
                                            else str(ident)))
        return tuple(out)

    @overload
    def __getitem__(self, i: int) -> tuple[str, ...]: ...

    @overload
    def __getitem__(self, i: slice) -> list[tuple[str, ...]]: ...

    def __getitem__(self, i: int | slice) -> tuple[str, ...] | list[tuple[str, ...]]:
        if isinstance(i, slice):
            return [self._row(j) for j in range(*i.indices(self._n))]
        j = int(i) + self._n if int(i) < 0 else int(i)
        if not 0 <= j < self._n:
            raise IndexError(f"basis row {i} out of range for {self._n} rows")
        return self._row(j)

    def __iter__(self) -> Iterator[tuple[str, ...]]:
        return (self._row(j) for j in range(self._n))

    def __eq__(self, other: Any) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, (str, bytes)):
            return NotImplemented
        return len(self) == len(other) and all(a == tuple(b) for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        head = ", ".join(repr(t) for t in self[:2])
        return f"Basis([{head}{', ...' if self._n > 2 else ''}], rows={self._n})"
