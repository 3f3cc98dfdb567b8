"""Clinical knowledge lives in knowledge/ (and the schema table): the engine and the result objects name no
clinical finding, input field or subtype, and every knowledge-base item is wired in."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from calcinosis_classify import knowledge as kb
from calcinosis_classify.findings import FINDINGS
from calcinosis_classify.schema import FIELD_BY_NAME

PACKAGE = Path(__file__).resolve().parents[1] / "calcinosis_classify"
CLINICAL_NAMES = frozenset(FINDINGS) | frozenset(FIELD_BY_NAME) | frozenset(kb.SUBTYPES)


def _string_literals(path: Path) -> list[tuple[int, str]]:
    """String constants of a module, docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


@pytest.mark.parametrize("module", ["engine.py", "compiled.py", "ranking.py", "missing.py", "assessment.py"])
def test_engine_and_results_name_no_clinical_finding_field_or_subtype(module: str) -> None:
    named = [(line, text) for line, text in _string_literals(PACKAGE / module) if text in CLINICAL_NAMES]
    assert not named, f"{module} names clinical knowledge in string literals (move it to knowledge/): {named}"


def test_the_literal_check_sees_a_clinical_name() -> None:
    """The check above is not vacuous: it finds a finding named in code, and ignores docstrings."""
    probe = PACKAGE.parent / "tests" / "_literal_probe.py"
    probe.write_text('"""calciphylaxis in a docstring is fine."""\nx = env["compatible_cp_lesion"]\n')
    try:
        assert [text for _, text in _string_literals(probe) if text in CLINICAL_NAMES] == ["compatible_cp_lesion"]
    finally:
        probe.unlink()


def test_every_composite_is_a_finding_in_dependency_order() -> None:
    from calcinosis_classify.findings import COMPOSITE_NAMES

    assert COMPOSITE_NAMES == {c.name for c in kb.COMPOSITES}
    order = list(FINDINGS)
    for c in kb.COMPOSITES:
        for name in FINDINGS[c.name].inputs:
            if name in FINDINGS:
                assert order.index(name) < order.index(c.name), (c.name, name)


def test_a_misspelt_composite_fails_at_load_with_a_suggestion() -> None:
    from calcinosis_classify.errors import KnowledgeBaseError
    from calcinosis_classify.findings import _composite_node

    with pytest.raises(KnowledgeBaseError, match="did you mean 'has_dialysis'"):
        _composite_node(kb.Composite("new_setting", "has_dialyis | esrd", "a typo", (9,)))
    with pytest.raises(KnowledgeBaseError, match="already a finding"):
        _composite_node(kb.Composite("esrd", "has_dialysis", "a duplicate", (9,)))
    with pytest.raises(KnowledgeBaseError, match="cites no"):
        _composite_node(kb.Composite("uncited_setting", "has_dialysis", "no refs", ()))
