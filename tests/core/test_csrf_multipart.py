"""Multipart forms (file uploads) carry their CSRF token as a form field: asgi-csrf 0.11 could not
parse such bodies with python-multipart 0.0.3x until core/csrf.py gave it a compatible parser."""

from __future__ import annotations

from tests.conftest import csrf_of
from tests.personas import PASSWORD

BOUNDARY = "gsboundary42"


def _body(fields: dict[str, str]) -> bytes:
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
        for k, v in fields.items()
    ]
    return ("".join(parts) + f"--{BOUNDARY}--\r\n").encode()


def _post(client, token: str, **headers: str):
    fields = {"csrftoken": token, "username": "p.admin", "password": PASSWORD, "next": "/"}
    return client.post(
        "/login",
        content=_body(fields),
        headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}", **headers},
        follow_redirects=False,
    )


def test_multipart_form_with_the_right_token_passes(client):
    r = _post(client, csrf_of(client))
    assert r.status_code == 303


def test_multipart_form_with_a_wrong_or_missing_token_is_refused_in_chinese(client):
    csrf_of(client)
    for token in ("forged", ""):
        r = _post(client, token)
        assert r.status_code == 403 and "CSRF" in r.text and 'lang="zh-CN"' in r.text


def test_a_request_with_the_header_is_left_to_asgi_csrf(client):
    token = csrf_of(client)
    assert _post(client, "ignored", **{"x-csrftoken": token}).status_code == 303


def test_a_large_upload_streams_through_whole_after_its_token(client):
    """The token is read from the head of the body; the rest (here 1 MB) reaches the route."""
    token = csrf_of(client)
    padding = "x" * (1024 * 1024)
    fields = {
        "csrftoken": token,
        "username": "p.admin",
        "password": PASSWORD,
        "next": "/",
        "padding": padding,
    }
    r = client.post(
        "/login",
        content=_body(fields),
        follow_redirects=False,
        headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"},
    )
    assert r.status_code == 303  # the login form parsed every field, padding included
