"""The demo and the benchmark are tools beside the application: no module of the apps imports them, not
even inside a function, so that the site runs and deploys without them."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("commission", "beneficiaires", "parcours")
TOOLS = ("demo", "bench")


def imported_modules(path):
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


@pytest.mark.parametrize("app", APPS)
def test_no_app_module_imports_the_demo_or_the_bench(app):
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in sorted((ROOT / app).rglob("*.py"))
        for module in imported_modules(path)
        if module.split(".")[0] in TOOLS
    ]
    assert offenders == []


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "module.py"
    module.write_text("def run():\n    from bench import generate\n")
    assert list(imported_modules(module)) == ["bench"]
