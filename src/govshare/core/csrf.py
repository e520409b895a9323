"""Lets asgi-csrf check the CSRF token of multipart forms (file uploads).

asgi-csrf 0.11 parses multipart bodies with an API that python-multipart 0.0.2x no longer has
(``FormParser(FileClass=…)``), so every browser form with a file failed with a 500. This
middleware, placed in front of asgi-csrf, reads a multipart body whose request carries no
``x-csrftoken`` header and compares the form's ``csrftoken`` field with the CSRF cookie, as
asgi-csrf would. A match is copied into the header (asgi-csrf checks it again) and the body is
replayed; a missing or wrong token is refused here with the same failure page.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SAFE = {"GET", "HEAD", "OPTIONS", "TRACE"}
HEAD_LIMIT = 65536
FIELD = re.compile(rb'name="csrftoken"\r\n(?:[^\r\n]+\r\n)*\r\n([^\r\n]{1,512})\r\n')


class MultipartCsrfHeader:
    """ASGI middleware: the multipart form's ``csrftoken`` field becomes the CSRF header."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        cookie_name: str,
        on_failure: Callable[[Scope, Send], Awaitable[None]],
        header: bytes = b"x-csrftoken",
    ) -> None:
        self.app = app
        self.cookie_name = cookie_name
        self.on_failure = on_failure
        self.header = header

    def _cookie(self, headers: dict[bytes, bytes]) -> str:
        jar: SimpleCookie = SimpleCookie()
        jar.load(headers.get(b"cookie", b"").decode("latin-1"))
        morsel = jar.get(self.cookie_name)
        return morsel.value if morsel else ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        ctype = headers.get(b"content-type", b"")
        if (
            not ctype.startswith(b"multipart/form-data")
            or self.header in headers
            or b"cookie" not in headers
            or headers.get(b"authorization", b"").startswith(b"Bearer ")
        ):
            await self.app(scope, receive, send)
            return
        # Read only until the token field (forms put it first); the rest of a large upload streams
        # through untouched instead of being held in memory.
        head = b""
        more = True
        found = None
        while more and found is None and len(head) < HEAD_LIMIT:
            message = await receive()
            head += message.get("body", b"")
            more = bool(message.get("more_body", False))
            found = FIELD.search(head)
        token = found.group(1).decode("latin-1") if found else ""
        expected = self._cookie(headers)
        if not token or not expected or not hmac.compare_digest(token, expected):
            await self.on_failure(scope, send)
            return
        scope = dict(scope)
        scope["headers"] = [*scope["headers"], (self.header, found.group(1) if found else b"")]
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": head, "more_body": more}

        await self.app(scope, replay, send)
