"""The dependency map is enforced: the import contracts in pyproject.toml (layers, named
SQL only in repositories, routes without repositories, pure rules without I/O) hold, and
no module hides a dependency inside a function."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PACKAGE = ROOT / "mathvidya"


def test_the_import_contracts_hold():
    beside_python = Path(sys.executable).parent / "lint-imports"
    lint_imports = beside_python if beside_python.exists() else shutil.which("lint-imports")
    assert lint_imports, "import-linter is a dev dependency (requirements-dev.in)"
    result = subprocess.run(
        [str(lint_imports), "--no-cache", "--no-logo", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _imports_inside_functions(path: Path) -> list[str]:
    found = []
    for function in ast.walk(ast.parse(path.read_text())):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [module or ""]
            if isinstance(node, ast.Import | ast.ImportFrom) and any(n.startswith("mathvidya") for n in names):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_no_module_imports_the_project_inside_a_function():
    """An import inside a function hides a dependency (usually a loop) from the contracts."""
    hidden = [place for path in sorted(PACKAGE.rglob("*.py")) for place in _imports_inside_functions(path)]
    assert hidden == []
