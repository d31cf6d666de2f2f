"""Bandit finds no high-severity issue in hubapp/ (issue 8 point 13). pip-audit runs in .ci/run, which
needs the advisory service on the network."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bandit_reports_no_high_severity_issue():
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "-q", "-r", str(ROOT / "hubapp"), "-lll", "-f", "txt"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Issue:" not in result.stdout


def test_bandit_would_report_one(tmp_path):
    """The check above is live: a shell command built from input is a high-severity finding."""
    (tmp_path / "bad.py").write_text("import subprocess\n\ndef run(x):\n    subprocess.call(x, shell=True)\n")
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "-q", "-r", str(tmp_path), "-lll", "-f", "txt"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "Issue:" in result.stdout


def test_tests_share_helpers_only_through_support():
    """One test kit: helpers live in ``tests/support/`` (or conftest), never imported from a ``test_*.py``."""
    import ast
    from pathlib import Path

    found = []
    for path in sorted(Path(__file__).resolve().parent.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [a.name for a in node.names] if isinstance(node, ast.Import) else []
            found += [f"{path.name}: {n}" for n in names if any(p.startswith("test_") for p in n.split("."))]
    assert found == []


def _load_then_404(tree) -> list[int]:
    """Lines of ``if x is None: abort(404)``: the load-or-404 that ``hubapp.common.current`` writes once."""
    import ast

    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.If) and len(node.body) == 1 and isinstance(node.body[0], ast.Expr)):
            continue
        call, test = node.body[0].value, node.test
        aborts = isinstance(call, ast.Call) and getattr(call.func, "id", "") == "abort"
        is_none = isinstance(test, ast.Compare) and isinstance(test.ops[0], ast.Is)
        if aborts and is_none and isinstance(test.comparators[0], ast.Constant) and test.comparators[0].value is None:
            found.append(node.lineno)
    return found


def test_views_load_a_record_or_404_one_way():
    """Every view loads "this hub's record or 404" through ``hub_object_or_404`` / ``found_or_404``."""
    import ast

    package = ROOT / "hubapp"
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sorted(package.rglob("*.py"))
        if path.name != "current.py"
        for line in _load_then_404(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert found == []


def test_the_load_or_404_check_sees_one():
    import ast

    source = "def view(i):\n    found = get(i)\n    if found is None:\n        abort(404)\n    return found\n"
    assert _load_then_404(ast.parse(source)) == [3]
