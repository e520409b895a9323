"""Turning pydantic's validation errors into Chinese field errors (``Invalid``).

Pydantic's own messages are English; each error type gets a Chinese message here, and messages
raised by our named validators (``ValueError(_(…))``) pass through as written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from govshare.core.errors import FieldError, Invalid
from govshare.core.i18n import N_, _

M = TypeVar("M", bound=BaseModel)

MESSAGES: dict[str, str] = {
    "missing": N_("必填项。"),
    "string_too_short": N_("至少 {min_length} 个字符。"),
    "string_too_long": N_("最多 {max_length} 个字符。"),
    "string_type": N_("应为文本。"),
    "int_parsing": N_("应为整数。"),
    "int_type": N_("应为整数。"),
    "int_from_float": N_("应为整数。"),
    "float_parsing": N_("应为数字。"),
    "float_type": N_("应为数字。"),
    "bool_parsing": N_("应为是或否。"),
    "bool_type": N_("应为是或否。"),
    "greater_than": N_("应大于 {gt}。"),
    "greater_than_equal": N_("应不小于 {ge}。"),
    "less_than": N_("应小于 {lt}。"),
    "less_than_equal": N_("应不大于 {le}。"),
    "enum": N_("应为以下之一：{expected}。"),
    "literal_error": N_("应为以下之一：{expected}。"),
    "date_parsing": N_("日期格式应为 YYYY-MM-DD。"),
    "date_from_datetime_parsing": N_("日期格式应为 YYYY-MM-DD。"),
    "datetime_parsing": N_("时间格式应为 ISO 8601，例如 2026-01-31T08:00:00+08:00。"),
    "datetime_from_date_parsing": N_("时间格式应为 ISO 8601，例如 2026-01-31T08:00:00+08:00。"),
    "value_error": N_("{reason}"),
    "list_type": N_("应为列表。"),
    "dict_type": N_("应为对象。"),
    "model_type": N_("应为 JSON 对象。"),
    "model_attributes_type": N_("应为 JSON 对象。"),
    "json_invalid": N_("JSON 格式错误：{error}"),
    "json_type": N_("应为 JSON。"),
    "extra_forbidden": N_("不认识的字段。"),
    "too_long": N_("最多 {max_length} 项。"),
    "too_short": N_("至少 {min_length} 项。"),
    "uuid_parsing": N_("应为 UUID。"),
    "url_parsing": N_("应为网址。"),
}


def _location(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or "body"


def _message(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = dict(error.get("ctx") or {})
    if kind == "value_error":
        reason = str(ctx.get("error", error.get("msg", "")))
        return reason.removeprefix("Value error, ")
    if kind == "json_invalid":
        ctx.setdefault("error", ctx.get("error", ""))
    template = MESSAGES.get(kind)
    if template is None:
        return _("取值无效。")
    try:
        return _(template).format(**ctx)
    except (KeyError, IndexError):
        return _(template)


def field_errors(errors: Sequence[Mapping[str, Any]]) -> list[FieldError]:
    """Chinese field errors from pydantic/FastAPI error dicts."""
    return [FieldError(_location(e.get("loc", ())), _message(e)) for e in errors]


def invalid_from(exc: ValidationError) -> Invalid:
    errs = field_errors(exc.errors())
    summary = _("提交的内容有 {n} 处错误。").format(n=len(errs))
    return Invalid(summary, errors=errs)


def parse(model: type[M], data: Mapping[str, Any]) -> M:
    """Validate input into a schema, raising Invalid with Chinese field errors."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_from(exc) from exc
