"""Extract translatable messages into one English catalog per module: ``make i18n``.

Each module keeps ``src/govshare/locale/en/LC_MESSAGES/<module>.po`` (its Python files and its
``templates/<module>/``); ``core.po`` holds core, the shell and the shared templates. One catalog
per module keeps parallel work from colliding in one file. New messages arrive with empty English;
fill them (``python scripts/i18n_merge.py table.py``) until ``tests/meta/test_docs.py`` passes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "src" / "govshare"
LOCALE = PKG / "locale" / "en" / "LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2)}
NOT_MODULES = {"core", "migrations", "templates", "static", "locale", "data", "__pycache__"}


def groups() -> dict[str, list[Path]]:
    modules = sorted(
        p.name
        for p in PKG.iterdir()
        if p.is_dir() and p.name not in NOT_MODULES and (p / "__init__.py").exists()
    )
    out: dict[str, list[Path]] = {}
    for m in modules:
        out[m] = sorted((PKG / m).rglob("*.py")) + sorted((PKG / "templates" / m).rglob("*.html"))
    shared = sorted(PKG.glob("*.py")) + sorted((PKG / "core").rglob("*.py"))
    shared += sorted((PKG / "templates").glob("*.html"))
    shared += sorted((PKG / "templates" / "core").rglob("*.html"))
    out["core"] = shared
    return out


def extract(files: list[Path]) -> list[str]:
    seen: dict[str, None] = {}
    for path in files:
        method = "jinja2" if path.suffix == ".html" else "python"
        options = {"extensions": "jinja2.ext.i18n"} if method == "jinja2" else {}
        for _line, message, _comments, _ctx in extract_from_file(
            method, str(path), keywords=KEYWORDS, options=options
        ):
            msgid = message if isinstance(message, str) else message[0]
            seen.setdefault(msgid, None)
    return list(seen)


def main() -> int:
    LOCALE.mkdir(parents=True, exist_ok=True)
    known: dict[str, str] = {}
    for po in LOCALE.glob("*.po"):
        with po.open("rb") as fh:
            for m in read_po(fh, locale="en"):
                if m.id and m.string and isinstance(m.id, str):
                    known.setdefault(m.id, str(m.string))
    missing = 0
    for name, files in groups().items():
        catalog = Catalog(locale="en", project="govshare")
        for msgid in extract(files):
            catalog.add(msgid, known.get(msgid, ""))
            missing += msgid not in known
        with (LOCALE / f"{name}.po").open("wb") as fh:
            write_po(fh, catalog, omit_header=True, width=100, sort_output=True)
    print(f"catalogs written to {LOCALE.relative_to(ROOT)}; messages without English: {missing}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
