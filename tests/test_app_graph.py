"""The apps depend on each other one way (README, Architecture):

    commission (foundation) ← beneficiaires ← parcours ← commission.seances

Every import counts, those inside functions too: a cycle hidden in a function is still a cycle. The
site's wiring (settings, root urls, Celery app, WSGI) names every app and stands outside the graph."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Lowest first: an app may import only the apps before it.
LAYERS = ["commission", "beneficiaires", "parcours", "commission.seances"]
SITE_MODULES = {
    "commission.settings",
    "commission.settings_test",
    "commission.urls",
    "commission.celery",
    "commission.wsgi",
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def app_of(module: str) -> str | None:
    """The app a module belongs to: the longest app name that prefixes it."""
    owners = [app for app in LAYERS if module == app or module.startswith(app + ".")]
    return max(owners, key=len) if owners else None


def source_modules():
    for app in ("commission", "beneficiaires", "parcours"):
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            module = module_name(path)
            if module not in SITE_MODULES:
                yield path, module


def imports_of(path: Path, module: str):
    """(imported module, line) for every import in the file, at any depth."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            yield target, node.lineno
            # `from commission import seances` imports the sessions app itself.
            for alias in node.names:
                yield f"{target}.{alias.name}", node.lineno


def edges():
    for path, module in source_modules():
        source = app_of(module)
        for target_module, line in imports_of(path, module):
            target = app_of(target_module)
            if target is not None and target != source:
                yield source, target, f"{path.relative_to(ROOT)}:{line} imports {target_module}"


def test_layers_are_known_apps():
    from django.apps import apps

    installed = {config.name for config in apps.get_app_configs()}
    assert set(LAYERS) <= installed


def test_no_app_imports_an_app_above_it():
    upward = [where for source, target, where in edges() if LAYERS.index(target) > LAYERS.index(source)]
    assert upward == []


def test_each_app_imports_only_apps_below_it():
    """Spelled out, so that a new arrow is a decision and not an accident."""
    allowed = {
        "commission": set(),
        "beneficiaires": {"commission"},
        "parcours": {"commission", "beneficiaires"},
        "commission.seances": {"commission", "beneficiaires", "parcours"},
    }
    found = {}
    for source, target, _where in edges():
        found.setdefault(source, set()).add(target)
    for app, targets in found.items():
        assert targets <= allowed[app], (app, targets - allowed[app])


def module_graph():
    known = {module for _path, module in source_modules()}
    graph = {}
    for path, module in source_modules():
        targets = set()
        for target, _line in imports_of(path, module):
            # `from parcours import letters` names a module; `from parcours.models import Demande` does not.
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != module and not module.startswith(target + "."):
                targets.add(target)
        graph[module] = targets
    return graph


def find_cycle(graph):
    """One cycle of the graph as a list of modules, or None (iterative depth-first search)."""
    state = {}
    for start in sorted(graph):
        if start in state:
            continue
        stack = [(start, iter(sorted(graph[start])))]
        path = [start]
        state[start] = "open"
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                state[node] = "done"
            elif state.get(child) == "open":
                return path[path.index(child) :] + [child]
            elif child not in state:
                state[child] = "open"
                path.append(child)
                stack.append((child, iter(sorted(graph.get(child, ())))))
    return None


def test_no_import_cycle_between_modules():
    """Packages' __init__ re-exports aside, no module imports one that imports it back, even from
    inside a function (Celery tasks, letters, minutes and workflows included)."""
    graph = module_graph()
    for module in list(graph):
        # A package's __init__ gathering its submodules (parcours.models) is not a cycle of the code.
        graph[module] = {t for t in graph[module] if not t.startswith(module + ".")}
    assert find_cycle(graph) is None


@pytest.mark.parametrize(
    "graph, cycle",
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, None),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
        ({"a": {"a"}}, ["a", "a"]),
    ],
)
def test_cycle_finder(graph, cycle):
    assert find_cycle(graph) == cycle


def test_an_import_inside_a_function_counts(tmp_path):
    (tmp_path / "parcours").mkdir()
    module = tmp_path / "parcours" / "late.py"
    module.write_text("def f():\n    from commission.seances import workflow\n    return workflow\n")
    assert ("commission.seances.workflow", 2) in list(imports_of(module, "parcours.late"))
