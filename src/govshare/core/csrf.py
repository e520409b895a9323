"""Makes asgi-csrf read the CSRF token of multipart forms (file uploads) again.

asgi-csrf 0.11 parses multipart bodies with python-multipart's ``FormParser(..., FileClass=…)``
and a zero-argument ``on_file`` callback; python-multipart 0.0.3x no longer takes ``FileClass``
and calls ``on_file(file)``, so every browser form that uploads a file answered 500. The fix is
at the root: asgi-csrf is given a ``FormParser`` with the signature it expects. asgi-csrf then
works as designed — it reads the body only up to the ``csrftoken`` field (our forms put it
first) and replays it, so large uploads stream through. Remove this when asgi-csrf is fixed.
"""

from __future__ import annotations

from typing import Any

import asgi_csrf


class _FormParser(asgi_csrf.FormParser):  # type: ignore[misc]
    def __init__(self, content_type: str, on_field: Any, _on_file: Any, **kwargs: Any) -> None:
        kwargs.pop("FileClass", None)
        super().__init__(content_type, on_field, lambda _file: None, **kwargs)


def patch_asgi_csrf() -> None:
    """Install the compatible parser (idempotent)."""
    asgi_csrf.FormParser = _FormParser
