"""Security primitives: the Actor, the role list, passwords, tokens, SM3 digests, SM4 encryption.

Passwords are argon2id (argon2-cffi). Web-session and API tokens are random and stored only as
SM3 digests, so a leaked table reveals none. SM4-GCM (``cryptography``) encrypts sensitive values
at rest; HMAC-SM3 keys the audit chain and pseudonyms.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import hmac
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

from govshare.core.errors import NotAuthorized
from govshare.core.i18n import N_, _


@dataclass(frozen=True)
class RoleInfo:
    """A role a user can hold: its Chinese name (the msgid) and what it is for."""

    code: str
    name: str
    description: str
    platform_level: bool = False  # only a platform admin may grant it


# The roles of DESIGN.md. Modules that need more add them here (an explicit list, no plugins).
ROLES: tuple[RoleInfo, ...] = (
    RoleInfo(
        "platform_admin", N_("平台管理员"), N_("市电政办：运行平台、审核目录、仲裁共享争议"), True
    ),
    RoleInfo("dept_admin", N_("部门管理员"), N_("管理本部门的用户、系统和应用")),
    RoleInfo("steward", N_("数据管理员"), N_("填报目录、加载数据、整改质量问题")),
    RoleInfo("reviewer", N_("审核员"), N_("审批本部门数据的有条件共享申请")),
    RoleInfo("consumer", N_("数据使用者"), N_("申请数据、调用数据接口")),
    RoleInfo("supervisor", N_("督查员"), N_("跟踪工作方案任务、提醒、考核评价"), True),
    RoleInfo("auditor", N_("审计员"), N_("查阅审计日志、检查数据访问"), True),
    RoleInfo(
        "catalog_reviewer",
        N_("目录审核员"),
        N_("市电政办：审核各部门编报的政务信息资源目录"),
        True,
    ),
)
ROLE_CODES = frozenset(r.code for r in ROLES)
ROLE_BY_CODE = {r.code: r for r in ROLES}

ActorKind = Literal["anonymous", "user", "token", "system"]


@dataclass(frozen=True)
class Actor:
    """Who is acting: a logged-in user, an API token of a user, the system, or nobody."""

    kind: ActorKind
    user_id: int | None = None
    username: str | None = None
    display_name: str = ""
    department_id: int | None = None
    department_name: str | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    token_id: int | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    session_id: int | None = None
    #: When the API token stops working (tokens only): callers that keep an actor across
    #: requests (the data API's resolved calls) check it on every use.
    token_expires_at: dt.datetime | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.kind != "anonymous"

    def has_role(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)

    @property
    def is_platform_admin(self) -> bool:
        return "platform_admin" in self.roles

    def has_scope(self, scope: str) -> bool:
        """Web sessions and the system hold every scope; tokens only those they were given."""
        if self.kind != "token":
            return self.kind != "anonymous"
        return scope in self.scopes

    def in_department(self, department_id: int | None) -> bool:
        return department_id is not None and self.department_id == department_id


ANONYMOUS = Actor(kind="anonymous", display_name=N_("匿名访客"))
SYSTEM = Actor(
    kind="system", username="system", display_name=N_("系统"), roles=frozenset({"platform_admin"})
)

TOKEN_SCOPES: dict[str, str] = {
    "read": N_("读取（GET 请求）"),
    "write": N_("写入（创建、修改、删除）"),
}


def require(
    allowed: bool,
    action: str,
    target: tuple[str, str, str] | None = None,
    message: str | None = None,
) -> None:
    """Raise NotAuthorized (recorded as a refusal of ``action``) unless ``allowed``."""
    if not allowed:
        raise NotAuthorized(message or _("您没有执行此操作的权限。"), action=action, target=target)


# --- passwords -------------------------------------------------------------------------------

_hasher: PasswordHasher | None = None


def configure_password_hasher(time_cost: int, memory_kib: int) -> None:
    global _hasher
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=2)


def _ph() -> PasswordHasher:
    if _hasher is None:
        configure_password_hasher(3, 65536)
    assert _hasher is not None
    return _hasher


_shared_hashes: dict[str, str] | None = None


def hash_password(password: str) -> str:
    """argon2id hash of a password."""
    if _shared_hashes is not None:
        if password not in _shared_hashes:
            _shared_hashes[password] = _ph().hash(password)
        return _shared_hashes[password]
    return _ph().hash(password)


@contextlib.contextmanager
def one_hash_per_password() -> Iterator[None]:
    """Within the block, accounts given the same password share one argon2id hash.

    For the demo only, whose hundred accounts all have the demo password: hashing it once
    instead of a hundred times saves seconds of the first start (argon2id is slow by design).
    """
    global _shared_hashes
    _shared_hashes = {}
    try:
        yield
    finally:
        _shared_hashes = None


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _ph().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# --- tokens and digests ----------------------------------------------------------------------


def new_token(prefix: str) -> str:
    """A random token like ``gs_AbC…``: 256 bits, URL-safe."""
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def sm3_hex(data: bytes | str) -> str:
    """SM3 digest (GB/T 32905) as hex."""
    if isinstance(data, str):
        data = data.encode()
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize().hex()


def hmac_sm3_hex(key: bytes, data: bytes | str) -> str:
    """HMAC-SM3 as hex: a keyed digest only the key holder can produce."""
    if isinstance(data, str):
        data = data.encode()
    h = crypto_hmac.HMAC(key, hashes.SM3())
    h.update(data)
    return h.finalize().hex()


def token_digest(token: str) -> str:
    """What is stored of a token: its SM3 digest."""
    return sm3_hex(token)


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def derive_key(secret: bytes, purpose: str, length: int = 32) -> bytes:
    """A sub-key of the secret for one purpose (so one leak does not expose the others)."""
    return hashlib.blake2b(purpose.encode(), key=secret[:64], digest_size=length).digest()


# --- SM4-GCM at rest -------------------------------------------------------------------------

_data_key: bytes | None = None


def configure_data_key(secret: bytes) -> None:
    global _data_key
    _data_key = derive_key(secret, "sm4-at-rest", 16)


def sm4_encrypt(plaintext: str, key: bytes | None = None) -> str:
    """SM4-GCM encryption; returns base64 of nonce ‖ ciphertext ‖ tag."""
    key = key or _data_key
    if key is None:
        raise RuntimeError("SM4 key not configured")
    nonce = os.urandom(12)
    enc = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    body = enc.update(plaintext.encode()) + enc.finalize()
    return base64.b64encode(nonce + body + enc.tag).decode()


def sm4_decrypt(token: str, key: bytes | None = None) -> str:
    key = key or _data_key
    if key is None:
        raise RuntimeError("SM4 key not configured")
    raw = base64.b64decode(token)
    nonce, body, tag = raw[:12], raw[12:-16], raw[-16:]
    dec = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    return (dec.update(body) + dec.finalize()).decode()


class EncryptedText(TypeDecorator[str]):
    """A text column stored SM4-GCM encrypted (personal data at rest, GB/T 35273)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else sm4_encrypt(value)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else sm4_decrypt(value)
