"""Merge English translations into the catalog: ``python scripts/i18n_merge.py FILE.py``.

FILE.py defines ``T = {chinese_msgid: english}``. Messages are extracted from the code first
(`make i18n`); this fills their English text. A test fails while any message lacks English.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "src/govshare/locale/en/LC_MESSAGES/messages.po"


def main(paths: list[str]) -> int:
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    table: dict[str, str] = {}
    for path in paths:
        table.update(runpy.run_path(path)["T"])
    filled = 0
    for message in catalog:
        if message.id and isinstance(message.id, str) and message.id in table:
            message.string = table[message.id]
            filled += 1
    with PO.open("wb") as fh:
        write_po(fh, catalog, omit_header=True, width=100)
    missing = [m.id for m in catalog if m.id and not m.string]
    print(f"filled {filled}; still without English: {len(missing)}")
    for m in missing:
        print("  ", m)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
