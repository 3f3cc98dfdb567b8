"""Atomic file output: write beside the target, rename into place only on success."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from calcinosis_classify.errors import InputError

__all__ = ["AtomicOutput", "atomic_path"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class AtomicOutput:
    """A temporary file beside ``target``: :meth:`commit` renames it into place, :meth:`discard` removes it.

    The committed file gets the permissions a newly created file would (``mkstemp`` makes it
    private to the owner).
    """

    def __init__(self, target: str | os.PathLike[str]):
        self.target = Path(target)
        directory = self.target.parent if str(self.target.parent) else Path(".")
        if not directory.is_dir():
            raise InputError(f"output directory does not exist: {directory}")
        fd, tmp = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".tmp", dir=directory)
        os.close(fd)
        self.tmp = tmp

    def commit(self) -> None:
        os.chmod(self.tmp, 0o666 & ~_umask())
        os.replace(self.tmp, self.target)

    def discard(self) -> None:
        Path(self.tmp).unlink(missing_ok=True)


@contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[str]:
    """Yield a temporary path to write; it replaces ``target`` when the block succeeds, else vanishes."""
    out = AtomicOutput(target)
    try:
        yield out.tmp
        out.commit()
    except BaseException:
        out.discard()
        raise
