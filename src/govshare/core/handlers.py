"""The one place where errors become HTTP answers.

Under ``/api`` (and for clients that ask for JSON) every error is RFC 9457
``application/problem+json`` with a Chinese title and detail (English when chosen); elsewhere the
error page. A missing login on a page redirects to the login form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from govshare.core.context import current_request
from govshare.core.errors import DomainError, NotAuthenticated, Problem
from govshare.core.i18n import N_, _
from govshare.core.validation import field_errors
from govshare.core.web import actor_for_error_page, is_htmx, render

log = structlog.get_logger("govshare.errors")

# Paths whose clients expect another error shape (the CKAN Action API): each shape answers for
# its paths and returns None elsewhere. An explicit list, filled by main.py.
ErrorShape = Callable[[Request, int, str, list[Any], dict[str, str], str], "Response | None"]
ERROR_SHAPES: list[ErrorShape] = []


def _shaped(
    request: Request,
    status: int,
    detail: str,
    errors: list[Any] | None = None,
    headers: dict[str, str] | None = None,
    slug: str = "",
) -> Response | None:
    for shape in ERROR_SHAPES:
        answer = shape(request, status, detail, errors or [], headers or {}, slug)
        if answer is not None:
            return answer
    return None


HTTP_TITLES = {
    400: N_("请求有误"),
    401: N_("需要登录"),
    403: N_("无权操作"),
    404: N_("未找到"),
    405: N_("不支持的请求方法"),
    406: N_("无法提供所请求的格式"),
    409: N_("与现有数据冲突"),
    413: N_("请求内容过大"),
    415: N_("不支持的内容类型"),
    422: N_("输入有误"),
    429: N_("请求过于频繁"),
    500: N_("服务器内部错误"),
}


def wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/api/") or path.startswith("/api"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def problem_response(
    request: Request, problem: Problem, headers: dict[str, str] | None = None
) -> JSONResponse:
    ctx = current_request()
    problem.instance = request.url.path
    problem.request_id = ctx.request_id if ctx else None
    return JSONResponse(
        problem.as_dict(),
        status_code=problem.status,
        media_type="application/problem+json",
        headers=headers,
    )


def _page(
    request: Request,
    status: int,
    title: str,
    detail: str,
    errors: list[Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    ctx = current_request()
    actor_for_error_page(request)
    return render(
        request,
        "error.html",
        {
            "status": status,
            "title": title,
            "detail": detail,
            "errors": errors or [],
            "request_id": ctx.request_id if ctx else "",
        },
        status=status,
        headers=headers,
    )


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if isinstance(exc, NotAuthenticated) and not wants_json(request):
        target = "/login?next=" + quote(str(request.url.path), safe="/")
        if is_htmx(request):
            return Response(status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    errors = [e.as_dict() for e in exc.errors]
    shaped = _shaped(request, exc.status, exc.detail, errors, dict(exc.headers), exc.type_slug)
    if shaped is not None:
        return shaped
    if wants_json(request):
        problem = Problem(
            status=exc.status,
            title=exc.title,
            detail=exc.detail,
            type=f"https://govshare.example/problems/{exc.type_slug}",
            errors=errors,
        )
        headers = dict(exc.headers)
        if isinstance(exc, NotAuthenticated):
            headers.setdefault("WWW-Authenticate", 'Bearer realm="govshare"')
        return problem_response(request, problem, headers)
    return _page(request, exc.status, exc.title, exc.detail, errors, exc.headers)


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errs = field_errors(exc.errors())
    detail = _("请求内容有 {n} 处错误。").format(n=len(errs))
    if any(e.get("type") == "json_invalid" for e in exc.errors()):
        detail = _("请求体不是有效的 JSON。")
    shaped = _shaped(request, 422, detail, [e.as_dict() for e in errs])
    if shaped is not None:
        return shaped
    if wants_json(request):
        return problem_response(
            request,
            Problem(
                status=422,
                title=_("输入有误"),
                detail=detail,
                type="https://govshare.example/problems/invalid",
                errors=[e.as_dict() for e in errs],
            ),
        )
    return _page(request, 422, _("输入有误"), detail, [e.as_dict() for e in errs])


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    title = _(HTTP_TITLES.get(exc.status_code, N_("请求未能完成")))
    detail = {
        404: _("您访问的页面或接口不存在。"),
        405: _("此地址不支持该请求方法。"),
    }.get(exc.status_code, title)
    headers = dict(exc.headers or {})
    shaped = _shaped(request, exc.status_code, detail, [], headers)
    if shaped is not None:
        return shaped
    if wants_json(request):
        return problem_response(
            request, Problem(status=exc.status_code, title=title, detail=detail), headers
        )
    return _page(request, exc.status_code, title, detail, headers=headers)


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error", exc_info=exc)
    title = _("服务器内部错误")
    detail = _("服务器处理请求时出错，请稍后重试；如仍出错，请把请求编号告诉管理员。")
    shaped = _shaped(request, 500, detail)
    if shaped is not None:
        return shaped
    if wants_json(request):
        return problem_response(request, Problem(status=500, title=title, detail=detail))
    return _page(request, 500, title, detail)


def install_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, server_error)
