"""Translations. Simplified Chinese is the source language; English comes from Babel catalogs.

Message ids are the Chinese texts themselves (the UI is Chinese first), and the catalogs in
``locale/en/LC_MESSAGES/`` (one ``<module>.po`` per module, ``core.po`` for the shared parts) map
them to English. They are merged and compiled in memory at start-up, so there is no build step and
no binary .mo file in the repository. A test checks that every message has English.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from govshare.core.context import current_locale

LOCALES: dict[str, str] = {"zh_CN": "简体中文", "en": "English"}
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
HTML_LANG = {"zh_CN": "zh-CN", "en": "en"}


@lru_cache
def translations(locale: str) -> NullTranslations:
    """The compiled catalog of one locale (Chinese is the identity)."""
    files = sorted((LOCALE_DIR / locale / "LC_MESSAGES").glob("*.po"))
    if locale == "zh_CN" or not files:
        return NullTranslations()
    catalog = Catalog(locale=locale)
    for po in files:
        with po.open("rb") as fh:
            for message in read_po(fh, locale=locale):
                if message.id and message.string and message.id not in catalog:
                    catalog.add(message.id, message.string)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf)


def gettext(message: str) -> str:
    """Translate a Chinese message into the current request's language."""
    return translations(current_locale()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_locale()).ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:  # noqa: N802 - Babel's conventional marker name
    """Mark a message for extraction without translating it yet (translate where shown)."""
    return message


def parse_accept_language(header: str | None) -> str | None:
    """The first supported locale named in an Accept-Language header, if any."""
    if not header:
        return None
    for part in header.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh_CN"
        if tag.startswith("en"):
            return "en"
    return None
