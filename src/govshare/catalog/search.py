"""Search: jieba segmentation and the two full-text backends behind one interface.

Text is segmented once, in Python, with jieba (``cut_for_search``: words and the words inside
them), normalised (NFKC, lower case, letters, digits and CJK only) and stored as space-separated
tokens in ``catalog_search``. SQLite indexes those tokens with FTS5 (``catalog_fts``, external
content, BM25 with field weights); PostgreSQL stores them as a weighted ``tsvector`` (built from
the same tokens, never re-parsed) with a GIN index and ranks with ``ts_rank``. A query is
segmented the same way and every token must match, so both backends find the same resources.
The index is written by the service in the transaction of the change it reflects.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

import jieba  # type: ignore[import-untyped]
from sqlalchemy import ColumnElement, Select, column, func, literal_column, table, text
from sqlalchemy.orm import Session

from govshare.catalog.models import Resource, SearchDocument

# Words the general dictionary splits but catalogs use whole (data item and resource names).
DOMAIN_WORDS = (
    "公民身份号码",
    "身份证号码",
    "统一社会信用代码",
    "组织机构代码",
    "法定代表人",
    "营业执照",
    "不动产",
    "不动产登记",
    "电子证照",
    "社会信用",
    "信用代码",
    "人口基础信息",
    "法人单位",
    "行政许可",
    "行政处罚",
    "住房公积金",
    "最低生活保障",
    "城乡居民",
    "养老保险",
    "医疗保险",
    "失业保险",
    "工伤保险",
    "出生医学证明",
    "婚姻登记",
    "户籍",
    "危险化学品",
    "排污许可",
    "安全生产",
    "食品经营",
    "药品经营",
    "德州市",
    "市场主体",
    "个体工商户",
    "联系电话",
    "出生日期",
)
WEIGHTS = {"name": 10.0, "extra": 5.0, "abstract": 3.0, "items": 1.0}
_TOKEN = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def tokenizer() -> jieba.Tokenizer:
    """The process's jieba tokenizer with the domain words (loaded once, ~1 s)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                tk.initialize()
                for word in DOMAIN_WORDS:
                    tk.add_word(word, freq=200_000)
                _tokenizer = tk
    return _tokenizer


def segment(text_: str) -> list[str]:
    """The normalised tokens of a text, in order (repeats kept)."""
    if not text_:
        return []
    norm = unicodedata.normalize("NFKC", text_).lower()
    out: list[str] = []
    for piece in tokenizer().cut_for_search(norm, HMM=False):
        out.extend(_TOKEN.findall(piece))
    return out


def unique(tokens: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(tokens))


def name_tokens(name: str) -> list[str]:
    """A name's words plus its single characters (so a one-character query finds names)."""
    words = segment(name)
    chars = _CJK.findall(unicodedata.normalize("NFKC", name))
    return unique([*words, *chars])


def query_tokens(q: str) -> list[str]:
    """The tokens every result must contain: the finest words of the query (a compound word
    whose parts are also in the query adds nothing but misses differently segmented texts)."""
    toks = unique(segment(q))
    return [t for t in toks if not any(o != t and o in t for o in toks)]


def document_tokens(
    name: str, extra: Sequence[str], abstract: str, items: Sequence[str]
) -> dict[str, str]:
    """The four token fields of a resource's search document."""
    return {
        "name_tokens": " ".join(name_tokens(name)),
        "extra_tokens": " ".join(unique(t for e in extra for t in segment(e))),
        "abstract_tokens": " ".join(unique(segment(abstract))),
        "item_tokens": " ".join(unique(t for i in items for t in segment(i))),
    }


# --- backends ------------------------------------------------------------------------------------

FTS = table("catalog_fts", column("rowid"))
_FTS_COLUMNS = ("name_tokens", "extra_tokens", "abstract_tokens", "item_tokens")
_PG_WEIGHTS = {"name_tokens": "A", "extra_tokens": "B", "abstract_tokens": "C", "item_tokens": "D"}


def dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _tsvector_literal(fields: dict[str, str]) -> str:
    """A tsvector in its input form, weighted by field, from our own tokens (not re-parsed)."""
    positions: dict[str, list[str]] = {}
    pos = 0
    for name in _FTS_COLUMNS:
        weight = _PG_WEIGHTS[name]
        for tok in fields[name].split():
            pos = min(pos + 1, 16383)
            slots = positions.setdefault(tok, [])
            if len(slots) < 255:
                slots.append(f"{pos}{weight}")
    return " ".join(f"'{tok}':{','.join(p)}" for tok, p in positions.items())


def store(session: Session, resource_id: int, fields: dict[str, str]) -> None:
    """Write (or rewrite) a resource's search document and its full-text index entry."""
    doc = session.get(SearchDocument, resource_id)
    kind = dialect(session)
    if doc is not None and kind == "sqlite":
        session.flush()
        session.execute(
            text(
                "INSERT INTO catalog_fts(catalog_fts, rowid, name_tokens, extra_tokens, "
                "abstract_tokens, item_tokens) VALUES ('delete', :rid, :n, :e, :a, :i)"
            ),
            {
                "rid": resource_id,
                "n": doc.name_tokens,
                "e": doc.extra_tokens,
                "a": doc.abstract_tokens,
                "i": doc.item_tokens,
            },
        )
    if doc is None:
        doc = SearchDocument(resource_id=resource_id)
        session.add(doc)
    for key, value in fields.items():
        setattr(doc, key, value)
    session.flush()
    if kind == "sqlite":
        session.execute(
            text(
                "INSERT INTO catalog_fts(rowid, name_tokens, extra_tokens, abstract_tokens, "
                "item_tokens) VALUES (:rid, :n, :e, :a, :i)"
            ),
            {
                "rid": resource_id,
                "n": fields["name_tokens"],
                "e": fields["extra_tokens"],
                "a": fields["abstract_tokens"],
                "i": fields["item_tokens"],
            },
        )
    elif kind == "postgresql":
        session.execute(
            text("UPDATE catalog_search SET tsv = CAST(:v AS tsvector) WHERE resource_id = :rid"),
            {"v": _tsvector_literal(fields), "rid": resource_id},
        )


def remove(session: Session, resource_id: int) -> None:
    """Drop a resource from the index (before the resource itself is deleted)."""
    doc = session.get(SearchDocument, resource_id)
    if doc is None:
        return
    if dialect(session) == "sqlite":
        session.execute(
            text(
                "INSERT INTO catalog_fts(catalog_fts, rowid, name_tokens, extra_tokens, "
                "abstract_tokens, item_tokens) VALUES ('delete', :rid, :n, :e, :a, :i)"
            ),
            {
                "rid": resource_id,
                "n": doc.name_tokens,
                "e": doc.extra_tokens,
                "a": doc.abstract_tokens,
                "i": doc.item_tokens,
            },
        )
    session.delete(doc)
    session.flush()


def rebuild(session: Session) -> None:
    """Rebuild the SQLite FTS index from the stored documents (PostgreSQL needs nothing)."""
    if dialect(session) == "sqlite":
        session.execute(text("INSERT INTO catalog_fts(catalog_fts) VALUES ('rebuild')"))


def _fts_query(tokens: Sequence[str]) -> str:
    return " AND ".join(f'"{t}"' for t in tokens)


def _ts_query(tokens: Sequence[str]) -> str:
    return " & ".join(f"'{t}'" for t in tokens)


def matching(
    session: Session, stmt: Select[Any], tokens: Sequence[str]
) -> tuple[Select[Any], ColumnElement[Any]]:
    """``stmt`` (over Resource) narrowed to resources whose document holds every token, and the
    rank expression (ascending = best first)."""
    if dialect(session) == "sqlite":
        stmt = stmt.join(FTS, FTS.c.rowid == Resource.id).where(
            text("catalog_fts MATCH :fts_q").bindparams(fts_q=_fts_query(tokens))
        )
        w = WEIGHTS
        rank: ColumnElement[Any] = literal_column(
            f"bm25(catalog_fts, {w['name']}, {w['extra']}, {w['abstract']}, {w['items']})"
        )
        return stmt, rank
    doc = SearchDocument.__table__
    query: ColumnElement[Any] = text("CAST(:ts_q AS tsquery)").bindparams(  # type: ignore[assignment]
        ts_q=_ts_query(tokens)
    )
    stmt = stmt.join(doc, doc.c.resource_id == Resource.id).where(doc.c.tsv.op("@@")(query))
    return stmt, -func.ts_rank(doc.c.tsv, query)
