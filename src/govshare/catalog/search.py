"""Search: jieba segmentation and the two full-text backends behind one interface.

Text is segmented once, in Python, with jieba (``cut_for_search``: words and the words inside
them), normalised (NFKC, lower case, letters, digits and CJK only) and stored as space-separated
tokens in ``catalog_search``. SQLite indexes those tokens with FTS5 (``catalog_fts``, external
content, and the small ``catalog_fts_primary`` over the name and extra tokens); PostgreSQL stores
them as weighted ``tsvector`` columns (built from the same tokens, never re-parsed) with GIN
indexes. A query is segmented the same way and every token must match, so both backends find
the same resources, and the service ranks them in the same tiers (``TIERS``) on both. The index
is written by the service in the transaction of the change it reflects.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import jieba  # type: ignore[import-untyped]
from sqlalchemy import (
    Boolean,
    ColumnElement,
    Select,
    Table,
    and_,
    column,
    event,
    func,
    insert,
    literal_column,
    not_,
    select,
    table,
    text,
    update,
)
from sqlalchemy.orm import Session

from govshare.catalog.models import (
    DataItem,
    Generation,
    Resource,
    ResourceFacet,
    SearchDocument,
)

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
    return list(_segment(text_)) if text_ else []


@lru_cache(maxsize=65_536)
def _segment(text_: str) -> tuple[str, ...]:
    """Cached: catalogs repeat the same item names and phrases thousands of times."""
    norm = unicodedata.normalize("NFKC", text_).lower()
    out: list[str] = []
    for piece in tokenizer().cut_for_search(norm, HMM=False):
        out.extend(_TOKEN.findall(piece))
    return tuple(out)


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
    toks = [t for t in unique(segment(q)) if not t.startswith("zzvis")]  # never scope tokens
    return [t for t in toks if not any(o != t and o in t for o in toks)]


def document_tokens(
    name: str, extra: Sequence[str], abstract: str, items: Sequence[str], scope: str = ""
) -> dict[str, str]:
    """The token fields of a resource's search document."""
    return {
        "scope_tokens": scope,
        "name_tokens": " ".join(name_tokens(name)),
        "extra_tokens": " ".join(unique(t for e in extra for t in segment(e))),
        "abstract_tokens": " ".join(unique(segment(abstract))),
        "item_tokens": " ".join(unique(t for i in items for t in segment(i))),
    }


# --- backends ------------------------------------------------------------------------------------

FTS = table("catalog_fts", column("rowid"))
# PostgreSQL: resource id, facet combination and tsv only, kept by triggers (migration 0780):
# counting matches reads its few thousand small heap blocks instead of the documents' wide rows.
MATCH = table("catalog_match", column("resource_id"), column("combo_id"), column("tsv"))
_FTS_COLUMNS = ("name_tokens", "extra_tokens", "abstract_tokens", "item_tokens", "scope_tokens")
_PG_WEIGHTS = {
    "name_tokens": "A",
    "extra_tokens": "B",
    "abstract_tokens": "C",
    "item_tokens": "D",
    "scope_tokens": "D",
}
PUBLIC = "zzvispublic"


def scope_tokens(status: str, department_id: int) -> str:
    """Who may see a resource, as index tokens (see permissions.visible_resources)."""
    public = f"{PUBLIC} " if status in ("published", "retired") else ""
    return f"{public}zzvisd{department_id}"


def scope_of(sees_all: bool, department_id: int | None) -> list[str] | None:
    """The scope tokens an actor's results may carry (None: every resource)."""
    if sees_all:
        return None
    return [PUBLIC, f"zzvisd{department_id or 0}"]


def dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _tsvector_literal(fields: dict[str, str], columns: Sequence[str] = _FTS_COLUMNS) -> str:
    """A tsvector in its input form, weighted by field, from our own tokens (not re-parsed)."""
    positions: dict[str, list[str]] = {}
    pos = 0
    for name in columns:
        weight = _PG_WEIGHTS[name]
        for tok in fields[name].split():
            pos = min(pos + 1, 16383)
            slots = positions.setdefault(tok, [])
            if len(slots) < 255:
                slots.append(f"{pos}{weight}")
    return " ".join(f"'{tok}':{','.join(p)}" for tok, p in positions.items())


def _primary_literal(fields: dict[str, str]) -> str:
    return _tsvector_literal(fields, ("name_tokens", "extra_tokens"))


def generation(session: Session) -> str:
    """The catalog's current generation token (see ``Generation``)."""
    token = session.scalar(select(Generation.token).where(Generation.id == 1))
    return token or ""


def bump_generation(session: Session) -> None:
    """A new generation, in the transaction of the write that changes resources. Called by
    every index write below (bulk inserts included) and, through ``_bump_on_flush``, by every
    flush that adds, changes or deletes a resource or a data item (a status change on submit,
    return or retire touches no search document), so nothing a search or a facet count sees can
    change without it."""
    table_: Table = Generation.__table__  # type: ignore[assignment]
    conn = session.connection()  # Core on the connection: no autoflush (also runs mid-flush)
    token = uuid.uuid4().hex
    done = conn.execute(update(table_).where(table_.c.id == 1).values(token=token))
    if not done.rowcount:
        conn.execute(insert(table_).values(id=1, token=token))


@event.listens_for(Session, "before_flush")
def _bump_on_flush(session: Session, _context: Any, _instances: Any) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(o, Resource | DataItem) for o in changed):
        bump_generation(session)


# SQLite's second, small index (name, provider, code, keywords, category: the first tiers).
_PRIMARY_INSERT = text(
    "INSERT INTO catalog_fts_primary(rowid, name_tokens, extra_tokens) "
    "VALUES (:resource_id, :name_tokens, :extra_tokens)"
)
_PRIMARY_DELETE = text(
    "INSERT INTO catalog_fts_primary(catalog_fts_primary, rowid, name_tokens, extra_tokens) "
    "VALUES ('delete', :rid, :n, :e)"
)


def store(session: Session, resource_id: int, fields: dict[str, str]) -> None:
    """Write (or rewrite) a resource's search document and its full-text index entry."""
    bump_generation(session)
    doc = session.get(SearchDocument, resource_id)
    kind = dialect(session)
    if doc is not None and kind == "sqlite":
        session.flush()
        session.execute(
            text(
                "INSERT INTO catalog_fts(catalog_fts, rowid, name_tokens, extra_tokens, "
                "abstract_tokens, item_tokens, scope_tokens) "
                "VALUES ('delete', :rid, :n, :e, :a, :i, :s)"
            ),
            {
                "rid": resource_id,
                "n": doc.name_tokens,
                "e": doc.extra_tokens,
                "a": doc.abstract_tokens,
                "i": doc.item_tokens,
                "s": doc.scope_tokens,
            },
        )
        session.execute(
            _PRIMARY_DELETE, {"rid": resource_id, "n": doc.name_tokens, "e": doc.extra_tokens}
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
                "item_tokens, scope_tokens) VALUES (:rid, :n, :e, :a, :i, :s)"
            ),
            {
                "rid": resource_id,
                "n": fields["name_tokens"],
                "e": fields["extra_tokens"],
                "a": fields["abstract_tokens"],
                "i": fields["item_tokens"],
                "s": fields["scope_tokens"],
            },
        )
        session.execute(
            _PRIMARY_INSERT,
            {"resource_id": resource_id, **fields},
        )
    elif kind == "postgresql":
        session.execute(
            text(
                "UPDATE catalog_search SET tsv = CAST(:v AS tsvector), "
                "tsv_primary = CAST(:p AS tsvector) WHERE resource_id = :rid"
            ),
            {"v": _tsvector_literal(fields), "p": _primary_literal(fields), "rid": resource_id},
        )


def store_new(session: Session, documents: Sequence[tuple[int, dict[str, str]]]) -> None:
    """Index many new resources at once (an import): one batched insert per table."""
    if not documents:
        return
    bump_generation(session)
    rows: list[dict[str, Any]] = [{"resource_id": rid, **fields} for rid, fields in documents]
    kind = dialect(session)
    if kind == "postgresql":
        session.execute(
            text(
                "INSERT INTO catalog_search (resource_id, name_tokens, extra_tokens, "
                "abstract_tokens, item_tokens, scope_tokens, tsv, tsv_primary) VALUES "
                "(:resource_id, :name_tokens, :extra_tokens, :abstract_tokens, :item_tokens, "
                ":scope_tokens, CAST(:tsv AS tsvector), CAST(:tsv_primary AS tsvector))"
            ),
            [{**r, "tsv": _tsvector_literal(r), "tsv_primary": _primary_literal(r)} for r in rows],
        )
        return
    session.execute(insert(SearchDocument), rows)
    if kind == "sqlite":
        session.execute(
            text(
                "INSERT INTO catalog_fts(rowid, name_tokens, extra_tokens, abstract_tokens, "
                "item_tokens, scope_tokens) VALUES (:resource_id, :name_tokens, :extra_tokens, "
                ":abstract_tokens, :item_tokens, :scope_tokens)"
            ),
            rows,
        )
        session.execute(_PRIMARY_INSERT, rows)


def remove(session: Session, resource_id: int) -> None:
    """Drop a resource from the index (before the resource itself is deleted)."""
    bump_generation(session)
    doc = session.get(SearchDocument, resource_id)
    if doc is None:
        return
    if dialect(session) == "sqlite":
        session.execute(
            text(
                "INSERT INTO catalog_fts(catalog_fts, rowid, name_tokens, extra_tokens, "
                "abstract_tokens, item_tokens, scope_tokens) "
                "VALUES ('delete', :rid, :n, :e, :a, :i, :s)"
            ),
            {
                "rid": resource_id,
                "n": doc.name_tokens,
                "e": doc.extra_tokens,
                "a": doc.abstract_tokens,
                "i": doc.item_tokens,
                "s": doc.scope_tokens,
            },
        )
        session.execute(
            _PRIMARY_DELETE, {"rid": resource_id, "n": doc.name_tokens, "e": doc.extra_tokens}
        )
    session.delete(doc)
    session.flush()


def rebuild(session: Session) -> None:
    """Rebuild the SQLite FTS index from the stored documents (PostgreSQL needs nothing)."""
    if dialect(session) == "sqlite":
        session.execute(text("INSERT INTO catalog_fts(catalog_fts) VALUES ('rebuild')"))
        session.execute(
            text("INSERT INTO catalog_fts_primary(catalog_fts_primary) VALUES ('rebuild')")
        )


_PRIMARY = "{name_tokens extra_tokens}"


def _fts_query(tokens: Sequence[str], primary: bool, scope: Sequence[str] | None = None) -> str:
    query = " AND ".join(f'"{t}"' for t in tokens)
    # The text columns need no filter (query words are never scope tokens), and FTS5 reads
    # every match's position list to apply one.
    out = f"{_PRIMARY} : ({query})" if primary else f"({query})"
    if scope is not None:
        out += " AND {scope_tokens} : (" + " OR ".join(scope) + ")"
    return out


def _ts_query(tokens: Sequence[str], scope: Sequence[str] | None = None) -> str:
    out = " & ".join(f"'{t}'" for t in tokens)
    if scope is not None:
        out += " & (" + " | ".join(f"'{t}'" for t in scope) + ")"
    return out


def matching(
    session: Session, stmt: Select[Any], tokens: Sequence[str], *, primary: bool = False
) -> tuple[Select[Any], ColumnElement[Any]]:
    """``stmt`` (over Resource) narrowed to resources whose document holds every token (only in
    the name, provider, code and keywords when ``primary``), and the rank expression (ascending
    = best first)."""
    if dialect(session) == "sqlite":
        stmt = stmt.join(FTS, FTS.c.rowid == Resource.id).where(
            text("catalog_fts MATCH :fts_q").bindparams(fts_q=_fts_query(tokens, primary))
        )
        return stmt, _bm25()
    doc = SearchDocument.__table__
    query: ColumnElement[Any] = text("CAST(:ts_q AS tsquery)").bindparams(  # type: ignore[assignment]
        ts_q=_ts_query(tokens)
    )
    vector = doc.c.tsv_primary if primary else doc.c.tsv
    stmt = stmt.join(doc, doc.c.resource_id == Resource.id).where(vector.op("@@")(query))
    return stmt, -func.ts_rank(vector, query)


def _bm25() -> ColumnElement[Any]:
    w = WEIGHTS
    return literal_column(
        f"bm25(catalog_fts, {w['name']}, {w['extra']}, {w['abstract']}, {w['items']}, 0.0)"
    )


def _index_query(
    session: Session, tokens: Sequence[str], scope: Sequence[str] | None, primary: bool
) -> tuple[Select[Any], ColumnElement[Any], ColumnElement[Any]]:
    """(matches, id column, rank) answered by the full-text index alone."""
    if dialect(session) == "sqlite":
        cond = text("catalog_fts MATCH :fts_q").bindparams(fts_q=_fts_query(tokens, primary, scope))
        return select(FTS.c.rowid).where(cond), FTS.c.rowid, _bm25()
    doc = SearchDocument.__table__
    vector = doc.c.tsv_primary if primary else doc.c.tsv
    query: ColumnElement[Any] = text("CAST(:ts_q AS tsquery)").bindparams(  # type: ignore[assignment]
        ts_q=_ts_query(tokens, None if primary else scope)
    )
    return (
        select(doc.c.resource_id).where(vector.op("@@")(query)),
        doc.c.resource_id,
        -func.ts_rank(vector, query),
    )


def _match_query(
    session: Session, tokens: Sequence[str], scope: Sequence[str] | None
) -> tuple[Select[Any], ColumnElement[Any]]:
    """(matches, id column) for counting or grouping, not ranking: on PostgreSQL from the narrow
    ``catalog_match`` (a GIN match must fetch each matching row; these rows are small)."""
    if dialect(session) == "sqlite":
        stmt, id_col, _rank = _index_query(session, tokens, scope, False)
        return stmt, id_col
    query: ColumnElement[Any] = text("CAST(:ts_q AS tsquery)").bindparams(  # type: ignore[assignment]
        ts_q=_ts_query(tokens, scope)
    )
    return select(MATCH.c.resource_id).where(MATCH.c.tsv.op("@@")(query)), MATCH.c.resource_id


def best_matches(session: Session, tokens: Sequence[str], k: int) -> Any:
    """The ``k`` best-ranked resources holding every token, from the full-text index alone: a
    subquery of (``id``, ``score``) in the order ``matching``'s rank gives (score ascending,
    then id descending). Joined to the resources and narrowed, its first rows are the page of
    the full ranked query, as long as at least a page of them survives the narrowing; ranking
    only the index saves joining every match of a common word before sorting."""
    stmt, id_col, rank = _index_query(session, tokens, None, False)
    return (
        stmt.with_only_columns(id_col.label("id"), rank.label("score"))
        .order_by(rank, id_col.desc())
        .limit(k)
        .subquery("best")
    )


def matching_ids(session: Session, tokens: Sequence[str]) -> list[int]:
    """The ids of every resource holding every token, from the full-text index alone."""
    stmt, _id = _match_query(session, tokens, None)
    with index_scans(session):
        return list(session.connection().execute(stmt).scalars().all())


def combination_counts(session: Session, tokens: Sequence[str]) -> dict[int, int]:
    """How many resources holding every token each facet combination has (``catalog_facet_count``
    id → matches), from the full-text index and the narrow ``catalog_resource_facet`` alone
    (PostgreSQL: ``catalog_match``, which carries the combination beside the vector)."""
    stmt, id_col = _match_query(session, tokens, None)
    if dialect(session) == "sqlite":
        place = ResourceFacet.__table__
        grouped = (
            stmt.with_only_columns(place.c.combo_id, func.count(), maintain_column_froms=True)
            .join(place, place.c.resource_id == id_col)
            .group_by(place.c.combo_id)
        )
    else:  # catalog_match carries the combination (kept by the facet-count triggers)
        grouped = stmt.with_only_columns(MATCH.c.combo_id, func.count()).group_by(MATCH.c.combo_id)
    with index_scans(session):
        return {int(c): int(n) for c, n in session.connection().execute(grouped)}


def ranked_ids(session: Session, tokens: Sequence[str], k: int | None) -> list[int]:
    """The ids of the ``k`` best-ranked resources holding every token (all when None), best
    first as ``matching`` ranks them (rank, then id descending), from the index alone."""
    stmt, id_col, rank = _index_query(session, tokens, None, False)
    stmt = stmt.order_by(rank, id_col.desc())
    if k is not None:
        stmt = stmt.limit(k)
    return list(session.connection().execute(stmt).scalars().all())


def count_matches(
    session: Session, tokens: Sequence[str], scope: Sequence[str] | None, *, primary: bool = False
) -> int:
    """How many resources within the scope hold every token (index only)."""
    if primary:
        stmt, _id, _rank = _index_query(session, tokens, scope, primary)
    else:
        stmt, _id = _match_query(session, tokens, scope)
    with index_scans(session):
        return int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)


@contextmanager
def index_scans(session: Session) -> Iterator[None]:
    """On PostgreSQL, the statements inside read matches through the GIN index. For a word in
    a third of the resources the planner picks a sequential scan that decompresses every row's
    tsvector (0.7-1.8 s at 100k resources); the bitmap scan needs no recheck and reads only
    the matching pages (70 ms at the same load). Restored afterwards; SQLite: nothing."""
    if dialect(session) != "postgresql":
        yield
        return
    was = session.scalar(
        text("SELECT current_setting('enable_seqscan'), set_config('enable_seqscan', 'off', true)")
    )
    try:
        yield
    finally:
        session.execute(text("SELECT set_config('enable_seqscan', :was, true)").bindparams(was=was))


# Tiers of a ranked search (docs/decisions/0005): every query word in the name (1); in the name,
# provider, code, keywords or category, but not all in the name (2); anywhere else (3). Newest
# first inside each tier, which both backends read in index order without scoring: the same
# order on SQLite and PostgreSQL, and a page costs its own rows, not the size of the result set.
TIERS = (1, 2, 3)


def _plain_query(tokens: Sequence[str]) -> str:
    # No column filter: scope tokens never match a query word (query_tokens drops them), and a
    # column filter would make FTS5 read the position list of every match.
    return " AND ".join(f'"{t}"' for t in tokens)


def tier_ids(session: Session, tokens: Sequence[str], tier: int) -> Select[Any]:
    """The ids of the matches in one tier (full-text index only), as a one-column select."""
    if dialect(session) == "sqlite":
        q = _plain_query(tokens)
        primary = table("catalog_fts_primary", column("rowid"))
        in_primary = text("catalog_fts_primary MATCH :tier_q")
        if tier == 1:
            return select(primary.c.rowid).where(
                in_primary.bindparams(tier_q="{name_tokens} : (" + q + ")")
            )
        if tier == 2:
            return select(primary.c.rowid).where(
                in_primary.bindparams(tier_q=f"({q}) NOT ({{name_tokens}} : ({q}))")
            )
        firsts = select(primary.c.rowid).where(in_primary.bindparams(tier_q=q))
        return select(FTS.c.rowid).where(
            text("catalog_fts MATCH :all_q").bindparams(all_q=q), FTS.c.rowid.not_in(firsts)
        )
    doc = SearchDocument.__table__
    every = " & ".join(f"'{t}'" for t in tokens)
    in_name = " & ".join(f"'{t}':A" for t in tokens)

    def ts(name: str, value: str) -> ColumnElement[Any]:
        return text(f"CAST(:{name} AS tsquery)").bindparams(**{name: value})  # type: ignore[return-value]

    cond: ColumnElement[Any]
    if tier == 1:
        cond = doc.c.tsv_primary.bool_op("@@")(ts("tier_q", in_name))
    elif tier == 2:
        cond = doc.c.tsv_primary.bool_op("@@")(ts("tier_q", f"({every}) & !({in_name})"))
    else:
        in_firsts = doc.c.tsv_primary.bool_op("@@")(ts("tier_q", every))
        cond = and_(
            doc.c.tsv.bool_op("@@")(ts("all_q", every)),
            not_(func.coalesce(in_firsts, False, type_=Boolean)),
        )
    return select(doc.c.resource_id).where(cond)


def tier_page(
    session: Session, tokens: Sequence[str], tier: int, *, offset: int, limit: int
) -> list[int]:
    """Ids of one tier's matches, newest first (index order, no scoring)."""
    stmt = tier_ids(session, tokens, tier)
    ident = stmt.selected_columns[0]
    return list(session.scalars(stmt.order_by(ident.desc()).offset(offset).limit(limit)))


def tier_count(session: Session, tokens: Sequence[str], tier: int) -> int:
    """How many matches a tier holds (index only; used to page past a tier)."""
    stmt = tier_ids(session, tokens, tier)
    return int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)


def newest_first(session: Session) -> ColumnElement[Any]:
    """Order of a large result set's remainder: newest first, in the index's own order."""
    if dialect(session) == "sqlite":
        return FTS.c.rowid.desc()
    return Resource.id.desc()
