"""Docs and configuration cannot drift: every setting, dependency and message is documented."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from babel.messages.extract import extract_from_dir
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
    method_map = [("src/govshare/**.py", "python"), ("src/govshare/templates/**.html", "jinja2")]
    options = {"src/govshare/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        str(ROOT),
        method_map,
        options,
        keywords={"_": None, "gettext": None, "N_": None, "ngettext": (1, 2)},
    ):
        found.add(message if isinstance(message, str) else message[0])
    po = ROOT / "src/govshare/locale/en/LC_MESSAGES/messages.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.string}
    missing = sorted(found - translated)
    assert not missing, f"no English for {len(missing)} messages (make i18n): {missing[:10]}"
