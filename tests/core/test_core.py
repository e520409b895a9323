"""Settings safety, SM3/SM4 vectors, cursors, translation, UTC timestamps."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govshare.core.config import Settings, UnsafeSettings
from govshare.core.context import set_locale
from govshare.core.errors import Invalid
from govshare.core.i18n import _
from govshare.core.pagination import decode_cursor, encode_cursor
from govshare.core.security import hmac_sm3_hex, sm3_hex, sm4_decrypt, sm4_encrypt


def test_production_refuses_development_defaults(tmp_path):
    with pytest.raises(UnsafeSettings, match="SECRET_KEY.*COOKIE_SECURE"):
        Settings(env="production", data_dir=tmp_path, secret_key=None).check_safe()
    Settings(
        env="production", data_dir=tmp_path, secret_key="x" * 40, cookie_secure=True
    ).check_safe()


def test_development_secret_is_generated_once_and_kept(tmp_path):
    s = Settings(data_dir=tmp_path, secret_key=None)
    assert s.secret() == s.secret() and len(s.secret()) > 40
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


def test_sm3_and_sm4_test_vectors():
    assert sm3_hex("abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    assert sm4_decrypt(sm4_encrypt("13812345678", key), key) == "13812345678"
    assert sm4_encrypt("x", key) != sm4_encrypt("x", key)  # random nonce
    assert hmac_sm3_hex(b"k", "m") != hmac_sm3_hex(b"k2", "m")


@given(st.dictionaries(st.text(max_size=5), st.integers(), max_size=3))
def test_cursor_round_trip(values):
    assert decode_cursor(encode_cursor(values)) == values


@given(st.text(max_size=40))
def test_garbage_cursor_is_invalid_never_a_crash(garbage):
    try:
        decode_cursor(garbage)
    except Invalid as exc:
        assert exc.errors[0].field == "cursor"


def test_translation_follows_the_locale():
    try:
        set_locale("en")
        assert _("用户名或密码错误。") == "Wrong username or password."
        set_locale("zh_CN")
        assert _("用户名或密码错误。") == "用户名或密码错误。"
    finally:
        set_locale("zh_CN")


def test_timestamps_round_trip_as_utc(session):
    from sqlalchemy import select

    from govshare.audit.models import AuditEntry
    from govshare.audit.service import record
    from govshare.core.security import SYSTEM

    entry = record(session, SYSTEM, "test.time")
    stored = session.scalar(select(AuditEntry.occurred_at).where(AuditEntry.id == entry.id))
    assert stored.tzinfo == dt.UTC
    assert abs((stored - entry.occurred_at).total_seconds()) < 1e-3


def test_demo_accounts_share_one_hash_only_inside_the_block() -> None:
    from govshare.core.security import hash_password, one_hash_per_password, verify_password

    with one_hash_per_password():
        first, second = hash_password("Dezhou@2026"), hash_password("Dezhou@2026")
        other = hash_password("another-password")
    assert first == second != other
    assert verify_password(first, "Dezhou@2026")
    assert not verify_password(first, "dezhou@2026")
    assert hash_password("Dezhou@2026") != hash_password("Dezhou@2026")  # fresh salt outside


@pytest.mark.parametrize(
    "utc,local",
    [
        ("2026-12-04T15:59:00+00:00", dt.date(2026, 12, 4)),
        ("2026-12-04T16:00:00+00:00", dt.date(2026, 12, 5)),  # midnight in Shanghai
        ("2026-12-31T20:00:00+00:00", dt.date(2027, 1, 1)),
    ],
)
def test_local_today_is_the_platform_day_not_the_machine_day(settings, utc, local):
    import time_machine

    from govshare.core.db import local_today

    with time_machine.travel(dt.datetime.fromisoformat(utc), tick=False):
        assert local_today() == local


@pytest.mark.parametrize("freeze", [True, False])
def test_started_app_freezes_what_start_up_built_unless_told_not_to(
    settings, db, monkeypatch, freeze
):
    import gc

    from fastapi.testclient import TestClient

    from govshare.main import create_app

    monkeypatch.setattr(settings, "gc_freeze", freeze)
    gc.unfreeze()
    try:
        with TestClient(create_app(settings, db=db)) as client:
            assert client.get("/healthz").status_code == 200
            assert (gc.get_freeze_count() > 0) is freeze
        assert gc.get_freeze_count() == 0  # stopped: collectable again
    finally:
        gc.unfreeze()  # the suite's later garbage stays collectable


def test_requests_without_an_id_get_a_fresh_one(client):
    import re

    ids = {client.get("/healthz").headers["x-request-id"] for _ in range(20)}
    assert len(ids) == 20 and all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
