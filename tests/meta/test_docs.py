"""Docs and configuration cannot drift: every setting, dependency and message is documented."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from babel.messages.pofile import read_po

from govshare.core.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_is_documented():
    doc = (ROOT / "docs" / "configuration.md").read_text()
    missing = [
        f"GOVSHARE_{name.upper()}"
        for name in Settings.model_fields
        if f"GOVSHARE_{name.upper()}" not in doc
    ]
    assert not missing, f"docs/configuration.md lacks {missing}"


def test_every_setting_has_a_description():
    assert all(f.description for f in Settings.model_fields.values())


def test_every_dependency_is_listed_with_a_reason():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"] + project["optional-dependencies"]["dev"]
    npm = __import__("json").loads((ROOT / "package.json").read_text())
    names = [re.split(r"[\[=<>]", d)[0] for d in deps]
    names += list(npm["dependencies"]) + list(npm["devDependencies"])
    doc = (ROOT / "docs" / "dependencies.md").read_text()
    missing = [n for n in names if f"`{n}`" not in doc]
    assert not missing, f"docs/dependencies.md lacks {missing}"


def test_every_dependency_is_pinned():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for dep in project["dependencies"] + project["optional-dependencies"]["dev"]:
        assert "==" in dep, f"{dep} is not pinned"


def test_every_message_has_an_english_translation():
    """`make i18n` extracts; every message needs English in its module's catalog."""
    import runpy

    i18n = runpy.run_path(str(ROOT / "scripts" / "i18n.py"))
    found = {m for files in i18n["groups"]().values() for m in i18n["extract"](files)}
    translated = set()
    for po in (ROOT / "src/govshare/locale/en/LC_MESSAGES").glob("*.po"):
        with po.open("rb") as fh:
            translated |= {m.id for m in read_po(fh, locale="en") if m.string}
    missing = sorted(found - translated)
    assert not missing, f"no English for {len(missing)} messages (make i18n): {missing[:10]}"
