"""The import direction of the packages (README, "Layers"): a module may import its own layer and the layers below
it, never one above. An AST scan of every module of ``portal/``, so that a new import the wrong way fails here.

    base        config, db, events, workdays, text, regions, problems, loaders, leases, web, audit, ...
    identity    accounts, sessions, device sign-in, the permission policy of accounts
    catalog     departments, items, bundles, merged forms
    domains     applications, appeals, evaluations, lutong, halls, surveys, packs, oversight, knowledge (each may use the others' rules)
    graphql     portal/api/ and each package's api.py / loaders.py / payloads read by subscriptions
    app         app.py, cli.py, clients.py, demo
"""

from __future__ import annotations

import ast
from pathlib import Path

PORTAL = Path(__file__).resolve().parent.parent / "portal"
LAYERS = ["base", "identity", "catalog", "domains", "graphql", "app"]
DOMAINS = {"applications", "appeals", "evaluations", "lutong", "halls", "surveys", "packs", "oversight", "knowledge"}
GRAPHQL_MODULES = {"api", "loaders", "device_api"}  # a package's GraphQL face (its loaders feed resolvers)
APP_MODULES = {"app", "cli", "clients", "demo"}


def layer_of(module: str) -> str:
    """The layer of ``portal.x.y`` (a module or a package)."""
    parts = module.split(".")[1:]
    if not parts:
        return "app"
    top = parts[0]
    if top in APP_MODULES:
        return "app"
    if top == "api" or (len(parts) > 1 and parts[-1] in GRAPHQL_MODULES):
        return "graphql"
    if top == "identity":
        return "identity"
    if top == "catalog":
        return "catalog"
    if top in DOMAINS:
        return "domains"
    return "base"


def module_name(path: Path) -> str:
    relative = path.relative_to(PORTAL.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> list[tuple[int, str]]:
    """The ``portal`` modules a file imports at run time (``if TYPE_CHECKING:`` blocks are for the type checker)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    checking: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            checking.update(id(n) for child in node.body for n in ast.walk(child))
    found = []
    for node in ast.walk(tree):
        if id(node) in checking:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("portal"):
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                is_module = (PORTAL.parent / Path(*submodule.split("."))).with_suffix(".py").exists() or \
                    (PORTAL.parent / Path(*submodule.split("."))).is_dir()
                found.append((node.lineno, submodule if is_module else node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("portal")]
    return found


def violations() -> list[str]:
    wrong = []
    for path in sorted(PORTAL.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        name = module_name(path)
        mine = LAYERS.index(layer_of(name))
        for line, imported in imports(path):
            theirs = LAYERS.index(layer_of(imported))
            if theirs > mine:
                wrong.append(f"{path.relative_to(PORTAL.parent)}:{line}: {name} ({LAYERS[mine]}) imports "
                             f"{imported} ({LAYERS[theirs]})")
    return wrong


def test_no_module_imports_a_layer_above_its_own() -> None:
    assert violations() == []


def test_the_layers_are_what_the_readme_says() -> None:
    assert layer_of("portal.db") == layer_of("portal.audit.rules") == "base"
    assert layer_of("portal.identity.rules") == "identity"
    assert layer_of("portal.identity.api") == layer_of("portal.api.context") == "graphql"
    assert layer_of("portal.catalog.rules") == "catalog"
    assert layer_of("portal.halls.rules") == layer_of("portal.applications.uploads") == "domains"
    assert layer_of("portal.app") == layer_of("portal.cli") == "app"


def test_the_scan_finds_an_import_the_wrong_way(tmp_path: Path) -> None:
    """The scan itself can fail: an identity rule importing an application model is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("from portal.applications.models import Task\nimport portal.api.context\n", encoding="utf-8")
    found = [layer_of(module) for _, module in imports(bad)]
    assert found == ["domains", "graphql"]
    assert LAYERS.index("domains") > LAYERS.index(layer_of("portal.identity.policy"))


def test_accounts_know_nothing_of_the_domains_above_them() -> None:
    """identity/ (its rules and its GraphQL face alike) imports no domain: `me`, which gathers every domain's part,
    is assembled in portal/api/viewer.py."""
    wrong = [f"{path.name}:{line}: {module}" for path in sorted((PORTAL / "identity").glob("*.py"))
             for line, module in imports(path) if layer_of(module) == "domains"]
    assert wrong == []
