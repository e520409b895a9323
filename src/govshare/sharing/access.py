"""A grant applied to rows: the row filter, the projection onto granted items, the masks.

Pure functions (no database): the service loads rows through the datastore with the granted
items plus the filter's items, then keeps the rows inside the filter and masks what leaves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from govshare.core.masking import Mask, mask_value


@dataclass(frozen=True)
class Scope:
    """What a grant lets through: items in order, their masks, the row filter, the key."""

    grant_id: int
    system_id: int
    resource_id: int
    resource_code: str
    resource_name: str
    items: tuple[str, ...]
    masks: dict[str, Mask]
    row_filter: tuple[tuple[str, frozenset[str]], ...]
    key: bytes

    @property
    def read_columns(self) -> list[str]:
        """The items to read: granted ones, then the filter's items not granted."""
        extra = [c for c, _v in self.row_filter if c not in self.items]
        return [*self.items, *dict.fromkeys(extra)]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def inside(scope: Scope, row: dict[str, Any]) -> bool:
    """Whether a row is inside the grant's row filter."""
    return all(_text(row.get(col)) in values for col, values in scope.row_filter)


def mask_row(scope: Scope, row: dict[str, Any]) -> dict[str, Any]:
    """The granted items of a row, each with its mask applied."""
    out: dict[str, Any] = {}
    for item in scope.items:
        value = row.get(item)
        mask = scope.masks.get(item, Mask.NONE)
        if mask is Mask.NONE:
            out[item] = value
        else:
            out[item] = mask_value(mask, _text(value), key=scope.key)
    return out


def compile_masks(scope: Scope) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """``mask_row`` for one scope with every decision taken once: per granted item, the value
    as it is or the function of its mask (for callers that apply one grant many times)."""
    plan: list[tuple[str, Callable[[Any], Any] | None]] = []
    for item in scope.items:
        mask = scope.masks.get(item, Mask.NONE)
        plan.append((item, None if mask is Mask.NONE else _masker(mask, scope.key)))

    def apply(row: dict[str, Any]) -> dict[str, Any]:
        return {i: row.get(i) if f is None else f(row.get(i)) for i, f in plan}

    return apply


def _masker(mask: Mask, key: bytes) -> Callable[[Any], Any]:
    def masked(value: Any) -> Any:
        return mask_value(mask, _text(value), key=key)

    return masked


def serve(scope: Scope, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows inside the filter, projected and masked."""
    return [mask_row(scope, r) for r in rows if inside(scope, r)]


def compare(row: dict[str, Any], fields: dict[str, str]) -> dict[str, bool]:
    """核验: per field, whether the given value equals the stored one (trimmed text)."""
    return {k: (_text(row.get(k)) or "").strip() == v.strip() for k, v in fields.items()}


def filter_text(row_filter: Sequence[tuple[str, frozenset[str]]]) -> list[tuple[str, list[str]]]:
    """The filter as (item, sorted values) pairs, for conditions of a page query."""
    return [(col, sorted(values)) for col, values in row_filter]
