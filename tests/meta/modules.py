"""The business modules of the package, found on disk (so a new module is checked at once)."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path
from types import ModuleType

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "govshare"
NOT_MODULES = {"core", "migrations", "templates", "static", "locale", "data", "__pycache__"}
SIX = ("models", "schemas", "permissions", "service", "pages", "api")


def module_names() -> list[str]:
    return sorted(
        p.name
        for p in PACKAGE.iterdir()
        if p.is_dir() and p.name not in NOT_MODULES and (p / "__init__.py").exists()
    )


def service_functions(module: str) -> dict[str, object]:
    """Public functions a module's service offers (module or package with sub-modules)."""
    svc: ModuleType = importlib.import_module(f"govshare.{module}.service")
    names = getattr(svc, "__all__", None) or [n for n in dir(svc) if not n.startswith("_")]
    out = {}
    for name in names:
        obj = getattr(svc, name)
        if inspect.isfunction(obj) and obj.__module__.startswith(f"govshare.{module}.service"):
            out[name] = obj
    return out


def python_files(module: str) -> list[Path]:
    return sorted((PACKAGE / module).rglob("*.py"))


def imports_of(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
            names.extend(f"{node.module}.{a.name}" for a in node.names)
    return names
