"""`beneficiaires` stands under the pathway: it imports nothing of `parcours` nor of the sessions,
not even inside a function (foundation ← beneficiaires ← parcours ← sessions)."""

import ast
from pathlib import Path

import beneficiaires

FORBIDDEN = ("parcours", "commission.seances")


def imported_modules(path):
    """Every module a file imports, at the top or inside a function."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def forbidden_imports():
    root = Path(beneficiaires.__file__).parent
    for path in sorted(root.rglob("*.py")):
        for module in imported_modules(path):
            if any(module == name or module.startswith(f"{name}.") for name in FORBIDDEN):
                yield f"{path.relative_to(root.parent)} imports {module}"


def test_beneficiaires_imports_nothing_of_the_pathway_nor_the_sessions():
    assert list(forbidden_imports()) == []


def test_an_import_inside_a_function_is_seen(tmp_path):
    module = tmp_path / "module.py"
    module.write_text("def page():\n    from parcours.models import Demande\n    return Demande\n")
    assert "parcours.models" in set(imported_modules(module))
