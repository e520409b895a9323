"""The audit chain: canonical form of an entry, its HMAC-SM3 digest, and verification.

A plain hash chain can be recomputed by anyone who can write the table; keying it with HMAC-SM3
(key derived from the platform secret) means an edit cannot be hidden without the key. See
docs/decisions/0003-keyed-audit-chain.md.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from govshare.core.i18n import _
from govshare.core.security import derive_key, hmac_sm3_hex

GENESIS = "0" * 64
FIELDS = (
    "seq",
    "occurred_at",
    "actor_kind",
    "actor_user_id",
    "actor_name",
    "token_id",
    "department_id",
    "department_name",
    "action",
    "outcome",
    "target_type",
    "target_id",
    "target_label",
    "reason",
    "client_ip",
    "request_id",
    "before",
    "after",
    "details",
)


def _time(value: dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(entry: Any) -> str:
    """The entry's fields as canonical JSON (sorted keys, UTC microsecond times).

    ``entry`` is a stored AuditEntry or the dict of its fields (the writer chains dicts).
    """
    fields = entry if isinstance(entry, dict) else {name: getattr(entry, name) for name in FIELDS}
    data = {}
    for name in FIELDS:
        value = fields[name]
        data[name] = _time(value) if isinstance(value, dt.datetime) else value
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def chain_key(secret: bytes) -> bytes:
    return derive_key(secret, "audit-chain")


def digest(key: bytes, prev_digest: str, entry: Any) -> str:
    """HMAC-SM3 over the previous digest and this entry's canonical form."""
    return hmac_sm3_hex(key, prev_digest + "\n" + canonical(entry))


@dataclass
class Finding:
    """One place where the chain is broken."""

    kind: str  # altered | inserted | deleted | reordered
    seq: int | None
    entry_id: int | None
    message: str


@dataclass
class Verification:
    """The result of walking the chain."""

    checked: int = 0
    head_seq: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


class ChainWalker:
    """Walks entries in ``seq`` order and names every altered, inserted or deleted entry."""

    def __init__(self, key: bytes, head_seq: int) -> None:
        self.key = key
        self.head_seq = head_seq
        self.result = Verification()
        self._expected_seq = 1
        self._prev_digest = GENESIS
        self._last_good = GENESIS  # digest of the last entry that verified

    def feed(self, entry: Any) -> None:
        r = self.result
        r.checked += 1
        if entry.seq > self._expected_seq:
            missing = (
                str(self._expected_seq)
                if entry.seq - 1 == self._expected_seq
                else f"{self._expected_seq}–{entry.seq - 1}"
            )
            r.findings.append(
                Finding(
                    "deleted",
                    self._expected_seq,
                    None,
                    _("第 {n} 条记录已被删除").format(n=missing),
                )
            )
            # The surviving entry after a deletion still chains to the deleted one: do not
            # also report it as altered unless its own content is wrong.
            self._prev_digest = entry.prev_digest
        elif entry.seq < self._expected_seq:
            r.findings.append(
                Finding(
                    "inserted",
                    entry.seq,
                    entry.id,
                    _("序号 {seq} 重复出现（记录 #{id} 为插入）").format(
                        seq=entry.seq, id=entry.id
                    ),
                )
            )
            return
        # After a stray (inserted) entry, the platform's next entry chains to the last good one:
        # the bad entry before it was inserted, not altered.
        skipped = (
            entry.prev_digest == self._last_good != self._prev_digest
            and r.findings
            and r.findings[-1].kind == "altered"
            and r.findings[-1].seq == entry.seq - 1
        )
        if skipped:
            bad = r.findings[-1]
            bad.kind = "inserted"
            bad.message = _("第 {seq} 条记录（#{id}）不是由平台写入（插入）").format(
                seq=bad.seq, id=bad.entry_id
            )
        if entry.prev_digest not in (self._prev_digest, self._last_good):
            r.findings.append(
                Finding(
                    "inserted",
                    entry.seq,
                    entry.id,
                    _("第 {seq} 条记录未接续上一条（插入或顺序被改动）").format(seq=entry.seq),
                )
            )
        expected = digest(self.key, entry.prev_digest, entry)
        if expected != entry.digest and entry.seq > self.head_seq:
            r.findings.append(
                Finding(
                    "inserted",
                    entry.seq,
                    entry.id,
                    _("第 {seq} 条记录（#{id}）不是由平台写入（插入）").format(
                        seq=entry.seq, id=entry.id
                    ),
                )
            )
        elif expected != entry.digest:
            r.findings.append(
                Finding(
                    "altered",
                    entry.seq,
                    entry.id,
                    _("第 {seq} 条记录（#{id}）内容被篡改").format(seq=entry.seq, id=entry.id),
                )
            )
        else:
            self._last_good = entry.digest
        self._prev_digest = entry.digest
        self._expected_seq = entry.seq + 1

    def finish(self, head_digest: str) -> Verification:
        r = self.result
        head_seq = r.head_seq = self.head_seq
        last = self._expected_seq - 1
        if head_seq > last:
            span = str(head_seq) if head_seq == last + 1 else f"{last + 1}–{head_seq}"
            r.findings.append(
                Finding("deleted", last + 1, None, _("末尾第 {n} 条记录已被删除").format(n=span))
            )
        elif head_seq == last and last and head_digest != self._prev_digest:
            r.findings.append(Finding("altered", last, None, _("链头摘要与最后一条记录不符")))
        return r
