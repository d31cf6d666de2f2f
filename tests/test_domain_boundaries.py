"""The domains' boundaries, read from the source (an AST walk of every module, imports inside functions
included): a domain uses another only through that domain's ``services.py``, ``common`` depends on no
domain, and the domains' services do not import each other in a cycle at import time. Imports under
``if TYPE_CHECKING:`` (names for annotations, never run) are not uses.

Imports that still cross a boundary without ``services`` are listed in ``KNOWN_CROSSINGS``, each with the
reason: the list may only shrink. A new crossing fails the test, and so does a listed one that is gone.
"""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "hubapp"
DOMAINS = sorted(p.name for p in ROOT.iterdir() if (p / "__init__.py").exists() and p.name != "translations")
#: Shared vocabulary every domain may use (enums, the error type, calendars, forms…).
SHARED = {"common"}
#: What another domain may import of a domain.
PUBLIC = {"services"}


def _modules():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, path, ast.parse(path.read_text(encoding="utf-8"))


def _annotation_only(tree: ast.AST) -> set[int]:
    """The imports under ``if TYPE_CHECKING:``: names for annotations, never run, so no use of a domain
    (a service may name the entity it is handed — ``acting: User`` — without depending on auth)."""
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            skipped |= {id(inner) for stmt in node.body for inner in ast.walk(stmt)}
    return skipped


def _imports(tree: ast.AST):
    """(imported module, at module level?) for every import of hubapp in ``tree`` that runs."""
    top = set(map(id, tree.body))
    skipped = _annotation_only(tree)
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # "from hubapp.x import services" names the module hubapp.x.services
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            if name.startswith("hubapp."):
                yield name, id(node) in top


def _domain(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in DOMAINS else None


def crossings() -> set[tuple[str, str]]:
    """(importing module, imported module) for every import from one domain into another's internals."""
    found = set()
    for name, _path, tree in _modules():
        own = _domain(name)
        if own is None or own in SHARED:
            continue
        for imported, _top in _imports(tree):
            other = _domain(imported)
            parts = imported.split(".")
            if other is None or other == own or other in SHARED:
                continue
            if len(parts) == 2 or parts[2] in PUBLIC:
                continue  # the package itself ("from hubapp.x import services") or its services
            if len(parts) > 3 and parts[2] in PUBLIC:
                continue
            found.add((name, ".".join(parts[:3])))
    return _only_modules(found)


def _only_modules(pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """``from hubapp.x.models import Thing`` also names hubapp.x.models.Thing: keep the module."""
    return {(a, b) for a, b in pairs if (ROOT.parent / Path(*b.split("."))).with_suffix(".py").exists()
            or (ROOT.parent / Path(*b.split(".")) / "__init__.py").exists()}  # fmt: skip


def test_common_depends_on_no_domain():
    wrong = [
        (name, imported)
        for name, _path, tree in _modules()
        if _domain(name) == "common"
        for imported, _top in _imports(tree)
        if _domain(imported) not in (None, "common")
    ]
    assert wrong == []


def test_a_domain_uses_another_only_through_its_services():
    found = crossings()
    new = sorted(found - set(KNOWN_CROSSINGS))
    gone = sorted(set(KNOWN_CROSSINGS) - found)
    assert not new, "imports into another domain's internals (use its services.py, or common):\n" + "\n".join(
        f"  {a} -> {b}" for a, b in new
    )
    assert not gone, "no longer crossing: take these off KNOWN_CROSSINGS:\n" + "\n".join(
        f"  {a} -> {b}" for a, b in gone
    )


def test_services_import_each_other_without_a_cycle_at_import_time():
    """Module-level imports between the domains' services form no cycle (imports inside functions, made
    when called, are how a service reaches a domain that depends on it)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for name, _path, tree in _modules():
        own = _domain(name)
        if own is None or not name.endswith(".services"):
            continue
        for imported, top in _imports(tree):
            other = _domain(imported)
            if top and other not in (None, own) and imported.endswith(".services"):
                graph[own].add(other)
    cycles = []

    def visit(node, path):
        for nxt in sorted(graph[node]):
            if nxt in path:
                cycles.append(path[path.index(nxt) :] + [nxt])
            elif len(path) < len(DOMAINS):
                visit(nxt, [*path, nxt])

    for start in sorted(graph):
        visit(start, [start])
    assert cycles == []


def test_the_walk_sees_the_imports_it_checks():
    """The checks above read real imports: the walk finds beds' own services and the views' forms."""
    modules = {name: {imported for imported, _top in _imports(tree)} for name, _path, tree in _modules()}
    assert "hubapp.beds.services" in modules["hubapp.beds.views"]
    assert "hubapp.common.forms" in modules["hubapp.beds.views"]
    assert set(DOMAINS) >= {"audit", "auth", "beds", "common", "compliance", "meetings", "rota"}


#: Crossings left, each with why: SQL that joins another domain's entity table for one column (a name to
#: show, kana to sort by), where going through that domain's services would cost a query per call. The
#: list may only shrink: a new crossing fails, and so does one that is gone.
KNOWN_CROSSINGS: dict[tuple[str, str], str] = {
    ("hubapp.hubs.services", "hubapp.auth.models"): "member_logins: a hub's members, joined to their account "
    "for name, login and role in one query (HubMembership is hubs' table, User is auth's)",
    ("hubapp.rota.records", "hubapp.directory.models"): "the hub's members by kana, and the 代診・出動 totals and "
    "permit counts with each physician's name, in the one grouped query each",
}


def test_every_url_is_listed_in_its_domains_routes_module():
    """Routes in one place per blueprint: only ``routes.py`` makes a Blueprint or adds a URL rule (no
    ``@bp.route`` in view modules, no view module imported only for its side effect of registering)."""
    import re

    stray = []
    for name, path, _tree in _modules():
        if path.name == "routes.py":
            continue
        source = path.read_text(encoding="utf-8")
        if re.search(r"Blueprint\(|\.route\(|\.add_url_rule\(|\.errorhandler\(", source):
            stray.append(name)
    assert stray == []
    from hubapp import create_app

    app = create_app({"TESTING": True})
    made_in = {name: bp.import_name for name, bp in app.blueprints.items()}
    assert len(made_in) >= 10 and all(module.endswith(".routes") for module in made_in.values()), made_in
    used = {rule.endpoint.split(".")[0] for rule in app.url_map.iter_rules() if "." in rule.endpoint}
    assert used == set(made_in)
