"""Counts the imports between domain packages under mathvidya/ (a rerunnable measurement).

A cross-domain import is one module of a domain package (mathvidya/<domain>/) importing a
module of another domain package; imports of the shared plumbing (mathvidya/*.py) do not
count. Imports inside functions are counted separately, because they hide dependencies.

    python -m tools.import_map            # totals
    python -m tools.import_map --list     # every cross-domain import, one a line
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "mathvidya"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _domain(module: str) -> str | None:
    """The domain package a module belongs to, or None for shared plumbing."""
    parts = module.split(".")
    if len(parts) < 3 or parts[0] != "mathvidya":
        return None
    return parts[1] if (PACKAGE / parts[1]).is_dir() else None


def _is_module(name: str) -> bool:
    """True for a module or package of mathvidya (not a name imported from one)."""
    path = PACKAGE.joinpath(*name.split(".")[1:])
    return path.is_dir() or path.with_suffix(".py").exists()


def _imports(tree: ast.Module) -> list[tuple[str, bool]]:
    """(imported module, imported inside a function) for each mathvidya import."""
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        found += [(name, node.col_offset > 0) for name in names if name.startswith("mathvidya")]
    return found


def cross_domain_imports() -> list[tuple[str, str, bool]]:
    rows = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        source = _domain(module)
        if source is None:
            continue
        for imported, nested in _imports(ast.parse(path.read_text())):
            target = _domain(imported)
            if target is not None and target != source and _is_module(imported):
                rows.add((module, ".".join(imported.split(".")[:3]), nested))
    return sorted(rows)


def function_level_imports() -> int:
    count = 0
    for path in PACKAGE.rglob("*.py"):
        count += sum(1 for _, nested in _imports(ast.parse(path.read_text())) if nested)
    return count


def main(argv: list[str]) -> None:
    rows = cross_domain_imports()
    if "--list" in argv:
        for module, imported, nested in rows:
            print(f"{module} -> {imported}{'  (inside a function)' if nested else ''}")
    pairs = {(m.split(".")[1], i.split(".")[1]) for m, i, _ in rows}
    print(f"cross-domain imports (module -> module): {len(rows)}")
    print(f"  of which inside functions: {sum(1 for row in rows if row[2])}")
    print(f"domain -> domain edges: {len(pairs)}")
    print(f"mathvidya imports inside functions (any): {function_level_imports()}")


if __name__ == "__main__":
    main(sys.argv[1:])
