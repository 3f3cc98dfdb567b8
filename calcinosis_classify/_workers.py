"""Worker processes for batch scoring, started early.

Importing numpy, pandas and pyarrow takes a few tenths of a second, in the command-line process and again
in each worker process. The command line starts the workers first, so they import while it does.
"""

from __future__ import annotations

import os
import threading

__all__ = ["PARALLEL_MIN_BYTES", "default_jobs", "start_workers"]

# A text file smaller than this is scored in-process: starting workers would cost more than they save.
PARALLEL_MIN_BYTES = 4 << 20


def default_jobs() -> int:
    """Worker processes by default: the machine's cores, at most 4."""
    return min(os.cpu_count() or 1, 4)


def start_workers(n_jobs: int) -> None:
    """Start ``n_jobs`` worker processes in the background and have each load the scorer.

    joblib keeps its worker processes for reuse, so the batch scorer's own ``Parallel(n_jobs)`` finds them
    ready. Best effort: nothing is raised here; the scorer starts its workers itself if need be.
    """
    def run() -> None:
        try:
            from joblib import Parallel, delayed

            Parallel(n_jobs=n_jobs)(delayed(_load_scorer)() for _ in range(n_jobs))
        except Exception:  # an optimisation only: the scorer reports real problems itself
            pass

    threading.Thread(target=run, name="calcinosis-classify-workers", daemon=True).start()


def _load_scorer() -> None:
    import calcinosis_classify.batch  # noqa: F401 (the import is the point)
