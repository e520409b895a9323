"""Fill English translations: ``python scripts/i18n_merge.py TABLE.py [...]``.

TABLE.py defines ``T = {chinese_msgid: english}``. Run ``make i18n`` first so the catalogs list
every message; this writes the English into whichever module catalog holds each message and lists
what is still missing. ``tests/meta/test_docs.py`` fails while anything is.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

LOCALE = Path(__file__).resolve().parent.parent / "src/govshare/locale/en/LC_MESSAGES"


def main(paths: list[str]) -> int:
    table: dict[str, str] = {}
    for path in paths:
        table.update(runpy.run_path(path)["T"])
    missing: list[str] = []
    for po in sorted(LOCALE.glob("*.po")):
        with po.open("rb") as fh:
            catalog = read_po(fh, locale="en")
        for message in catalog:
            if message.id and isinstance(message.id, str) and message.id in table:
                message.string = table[message.id]
        with po.open("wb") as fh:
            write_po(fh, catalog, omit_header=True, width=100, sort_output=True)
        missing += [f"{po.stem}: {m.id}" for m in catalog if m.id and not m.string]
    print(f"still without English: {len(missing)}")
    for m in missing:
        print("  ", m)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
