"""Every public service function has its named permission ``can_<function>``, documented."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

from tests.meta.modules import module_names, service_functions

DOCS = Path(__file__).resolve().parents[2] / "docs" / "permissions"
# Start-up wiring that lives in a service module but is not a use case anyone calls.
NOT_USE_CASES = {
    ("audit", "configure"): "sets the chain key at start-up",
    ("datastore", "configure_gates"): "sets the publish gates at start-up (main.PUBLISH_GATES)",
    ("datastore", "handle_load_job"): "the job handler; the load was authorized when enqueued",
    ("datastore", "cleanup_load_job"): "the job cleanup hook, run by the worker as the system",
    ("catalog", "clear_open_facts"): "forgets a memory cache (open data's clear_cache); no data",
}
PAIRS = [
    (m, f) for m in module_names() for f in service_functions(m) if (m, f) not in NOT_USE_CASES
]


@pytest.mark.parametrize("module,function", PAIRS)
def test_service_function_has_its_permission(module, function):
    perms = importlib.import_module(f"govshare.{module}.permissions")
    assert hasattr(perms, f"can_{function}"), f"govshare.{module}.permissions lacks can_{function}"


@pytest.mark.parametrize("module,function", PAIRS)
def test_service_function_has_a_docstring(module, function):
    assert inspect.getdoc(service_functions(module)[function]), f"{module}.{function}"


@pytest.mark.parametrize("module,function", PAIRS)
def test_permission_is_documented(module, function):
    page = DOCS / f"{module}.md"
    name = f"{module}.{function}"
    assert page.exists() and f"`{name}`" in page.read_text(), (
        f"docs/permissions/{module}.md: {name}"
    )


@pytest.mark.parametrize("module", module_names())
def test_every_permission_has_a_docstring(module):
    perms = importlib.import_module(f"govshare.{module}.permissions")
    for name, fn in inspect.getmembers(perms, inspect.isfunction):
        if name.startswith(("can_", "visible_")) and fn.__module__ == perms.__name__:
            assert inspect.getdoc(fn), f"{module}.{name} needs a docstring"
