"""The six files per module, their docstrings, and the import rules the layering implies."""

from __future__ import annotations

import re

import pytest

from tests.meta.modules import PACKAGE, SIX, imports_of, module_names, python_files

MODULES = module_names()


def test_there_are_modules():
    assert {"accounts", "audit"} <= set(MODULES)


@pytest.mark.parametrize("module", MODULES)
def test_module_has_the_six_files(module):
    root = PACKAGE / module
    missing = [f for f in SIX if not (root / f"{f}.py").exists() and not (root / f).is_dir()]
    assert not missing, f"{module} lacks {missing}"


@pytest.mark.parametrize("module", MODULES)
def test_module_init_is_a_docstring_that_declares_extra_files(module):
    root = PACKAGE / module
    init = (root / "__init__.py").read_text()
    assert init.lstrip().startswith('"""'), f"{module}/__init__.py needs its docstring"
    code = init.split('"""', 2)[2].strip() if init.count('"""') >= 2 else init
    assert not code, f"{module}/__init__.py holds code"
    extras = {
        p.name for p in root.iterdir() if p.suffix == ".py" and p.stem not in (*SIX, "__init__")
    }
    for extra in extras:
        assert f"``{extra}``" in init, f"{module}/{extra} is not declared in the docstring"


@pytest.mark.parametrize("module", MODULES)
def test_routes_do_not_import_sqlalchemy_or_models(module):
    for name in ("pages.py", "api.py"):
        for imp in imports_of(PACKAGE / module / name):
            assert not imp.startswith("sqlalchemy"), f"{module}/{name} imports {imp}"
            assert not re.match(r"govshare\.\w+\.models", imp), f"{module}/{name} imports {imp}"


@pytest.mark.parametrize("module", MODULES)
def test_no_module_reaches_into_another_modules_pages_api_or_permissions(module):
    for path in python_files(module):
        for imp in imports_of(path):
            m = re.match(r"govshare\.(\w+)\.(pages|api|permissions)\b", imp)
            if m and m.group(1) != module:
                pytest.fail(f"{path.relative_to(PACKAGE)} imports {imp}")


@pytest.mark.parametrize("module", MODULES)
def test_other_modules_models_only_from_models(module):
    for path in python_files(module):
        if path.name == "models.py":
            continue
        for imp in imports_of(path):
            m = re.match(r"govshare\.(\w+)\.models\b", imp)
            if m and m.group(1) != module:
                pytest.fail(f"{path.relative_to(PACKAGE)} imports {imp}: use that module's service")


def test_only_datastore_imports_duckdb():
    for path in PACKAGE.rglob("*.py"):
        if "datastore" in path.relative_to(PACKAGE).parts:
            continue
        assert not any(i.startswith("duckdb") for i in imports_of(path)), path


@pytest.mark.parametrize("module", MODULES)
def test_service_never_commits(module):
    for path in (PACKAGE / module).rglob("service*.py"):
        assert ".commit()" not in path.read_text(), f"{path} commits; services only flush"
    svc_dir = PACKAGE / module / "service"
    if svc_dir.is_dir():
        for path in svc_dir.rglob("*.py"):
            assert ".commit()" not in path.read_text(), f"{path} commits; services only flush"
