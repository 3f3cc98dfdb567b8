"""The notebooks in notebooks/: each runs top to bottom on a fresh kernel, and is committed clean.

Every ``notebooks/*.ipynb`` is picked up automatically. Execution uses a ``python3`` kernel pinned to the
interpreter running the tests (so the installed package under test is the one imported), with the
working directory set to ``notebooks/`` and matplotlib's non-interactive Agg backend.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest

from calcinosis_classify import DISCLAIMER

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
CELL_TIMEOUT = 120  # seconds, per cell


def _ids(paths: list[Path]) -> list[str]:
    return [p.name for p in paths]


def _kernel_manager(spec_root: Path):  # -> jupyter_client.KernelManager
    """A KernelManager whose ``python3`` kernelspec launches this interpreter's ipykernel.

    A user-level ``python3`` kernelspec elsewhere (e.g. ~/.local/share/jupyter) could point at another
    Python; a kernelspec written here, and the only one the manager searches, rules that out.
    """
    from jupyter_client import KernelManager
    from jupyter_client.kernelspec import KernelSpecManager

    spec_dir = spec_root / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (tests)",
        "language": "python",
        "env": {"MPLBACKEND": "Agg"},
    }), encoding="utf-8")
    specs = KernelSpecManager(kernel_dirs=[str(spec_root / "kernels")])
    return KernelManager(kernel_name="python3", kernel_spec_manager=specs)


def test_notebooks_are_found() -> None:
    assert NOTEBOOKS, f"no notebooks found in {NOTEBOOK_DIR}"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_runs_top_to_bottom(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nbclient import NotebookClient

    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    # Checked first, in memory only: the kernel is the interpreter running the tests.
    nb.cells.insert(0, nbformat.v4.new_code_cell(
        f"import sys\nassert sys.prefix == {sys.prefix!r}, f'kernel runs in {{sys.prefix}}'"))
    client = NotebookClient(
        nb,
        km=_kernel_manager(tmp_path),
        kernel_name="python3",
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
    )
    client.execute()  # raises CellExecutionError (with the cell and traceback) on any error

    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [i for i, cell in enumerate(nb.cells)
             if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)]
    assert not dirty, f"{path.name}: code cells {dirty} have outputs or execution counts; clear them before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_opens_with_purpose_and_disclaimer(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown", f"{path.name} must open with a markdown cell"
    assert DISCLAIMER in first.source, f"{path.name}: the opening cell must carry the decision-support disclaimer"
