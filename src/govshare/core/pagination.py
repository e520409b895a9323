"""Cursor pagination for lists and the API: opaque cursors, keyset queries, one page shape.

A cursor is base64url JSON of the last row's sort key. Keyset paging costs the same at page 1 and
page 10,000 (offset paging does not), and a malformed cursor is a clear 422, never a 500.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

from govshare.core.errors import FieldError, Invalid
from govshare.core.i18n import _

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: the items and the cursor of the next page (null at the end)."""

    items: list[T]
    next_cursor: str | None = Field(None, description="Pass as `cursor` to get the next page.")
    limit: int


def encode_cursor(values: dict[str, Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    """The sort key inside a cursor; Invalid (422) when it was not made by us."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise Invalid(
            _("分页游标无效。"), errors=[FieldError("cursor", _("分页游标无效。"))]
        ) from exc
    if not isinstance(data, dict):
        raise Invalid(_("分页游标无效。"), errors=[FieldError("cursor", _("分页游标无效。"))])
    return data


def clamp_limit(limit: int | None, default: int, maximum: int) -> int:
    if limit is None:
        return default
    if limit < 1 or limit > maximum:
        msg = _("每页条数应在 1 到 {maximum} 之间。").format(maximum=maximum)
        raise Invalid(msg, errors=[FieldError("limit", msg)])
    return limit


def keyset_page(
    session: Session,
    stmt: Select[Any],
    key: InstrumentedAttribute[Any],
    *,
    cursor: str | None,
    limit: int,
    descending: bool = True,
) -> tuple[Sequence[Any], str | None]:
    """Rows of ``stmt`` after the cursor, ordered by a unique integer ``key``."""
    after = decode_cursor(cursor)
    if after is not None:
        try:
            last = int(after["k"])
        except (KeyError, TypeError, ValueError) as exc:
            raise Invalid(
                _("分页游标无效。"), errors=[FieldError("cursor", _("分页游标无效。"))]
            ) from exc
        stmt = stmt.where(key < last if descending else key > last)
    stmt = stmt.order_by(key.desc() if descending else key.asc()).limit(limit + 1)
    rows = session.scalars(stmt).all()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor({"k": getattr(rows[-1], key.key)})
    return rows, next_cursor
