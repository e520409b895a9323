"""Talking to the outside world for the outbox: SMTP for e-mail, HTTP POST for webhooks.

Each function returns (ok, status code, error text) and never raises for a delivery failure: the
service records the attempt and schedules the retry.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from email.message import EmailMessage
from typing import Any

from govshare.core.config import Settings
from govshare.core.security import hmac_sm3_hex

Outcome = tuple[bool, int | None, str]


def send_email(settings: Settings, to: str, subject: str, body: str) -> Outcome:
    """Send one plain-text UTF-8 e-mail through the configured SMTP server."""
    if not settings.smtp_host:
        return False, None, "SMTP not configured (GOVSHARE_SMTP_HOST)"
    msg = EmailMessage()
    msg["From"] = settings.smtp_from
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    try:
        smtp: smtplib.SMTP
        if settings.smtp_ssl:
            smtp = smtplib.SMTP_SSL(
                settings.smtp_host,
                settings.smtp_port,
                timeout=settings.smtp_timeout_seconds,
                context=ssl.create_default_context(),
            )
        else:
            smtp = smtplib.SMTP(
                settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds
            )
        with smtp:
            if settings.smtp_starttls and not settings.smtp_ssl:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_username:
                password = (
                    settings.smtp_password.get_secret_value() if settings.smtp_password else ""
                )
                smtp.login(settings.smtp_username, password)
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        return False, None, f"{type(exc).__name__}: {exc}"[:1000]
    return True, 250, ""


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sm3=<hex>``: HMAC-SM3 over ``timestamp.body`` with the webhook's secret."""
    return "sm3=" + hmac_sm3_hex(secret.encode(), timestamp.encode() + b"." + body)


def post_webhook(
    settings: Settings, url: str, secret: str, kind: str, message_id: int, payload: dict[str, Any]
) -> Outcome:
    """POST the payload as JSON, signed; any 2xx answer counts as delivered."""
    body = json.dumps(payload, ensure_ascii=False, default=str).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(  # noqa: S310 - the URL is validated as http(s) on entry
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "govshare-webhook/1",
            "X-Govshare-Event": kind,
            "X-Govshare-Delivery": str(message_id),
            "X-Govshare-Timestamp": timestamp,
            "X-Govshare-Signature": signature(secret, timestamp, body),
        },
    )
    try:
        with urllib.request.urlopen(  # noqa: S310
            request, timeout=settings.notify_webhook_timeout_seconds
        ) as response:
            code = int(response.status)
    except urllib.error.HTTPError as exc:
        return False, int(exc.code), f"HTTP {exc.code}"
    except (OSError, ValueError) as exc:
        return False, None, f"{type(exc).__name__}: {exc}"[:1000]
    return (200 <= code < 300), code, "" if 200 <= code < 300 else f"HTTP {code}"
