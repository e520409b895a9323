"""Readers: every source becomes a stream of ``TextBatch`` (text columns named by the source's
headers, and the source row number of each row), so checking and loading are one code path.

A reader raises ``SourceError`` with a Chinese message naming the source's problem (encoding,
empty file, unreachable database, an API answering 500 …); row-level problems (ragged rows) are
reported through ``on_bad_row`` and the row is skipped.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from govshare.core.i18n import _

JSON_ARRAY_MAX_BYTES = 512 * 1024**2


class SourceError(Exception):
    """The source as a whole cannot be read; the message says why, in Chinese."""


@dataclass
class TextBatch:
    """Rows of a source: text columns by header, and each row's number in the source."""

    headers: list[str]
    columns: list[pa.Array]
    first_row: int  # source row number of the first row (header is row 1 in files)
    row_numbers: pa.Array | None = None  # explicit numbers when rows were skipped

    @property
    def num_rows(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def numbers(self) -> pa.Array:
        if self.row_numbers is not None:
            return self.row_numbers
        return sequence(self.first_row, self.num_rows)


def sequence(start: int, n: int) -> pa.Array:
    """``start, start + 1, …`` (``n`` values, int64), built in C rather than from a Python range."""
    if n == 0:
        return pa.array([], pa.int64())
    return pc.add(pc.cumulative_sum(pa.repeat(pa.scalar(1, pa.int64()), n)), start - 1)


BadRow = Callable[[int | None, str], None]


@dataclass
class SourceInfo:
    """What was learned about a source while reading it (shown in the load's record)."""

    kind: str
    encoding: str = ""
    rows_read: int = 0
    details: dict[str, Any] = field(default_factory=dict)


# --- encoding --------------------------------------------------------------------------------


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) or GB18030 (a superset of GBK and GB2312), else SourceError."""
    with path.open("rb") as fh:
        sample = fh.read(1 << 20)
    if not sample.strip():
        raise SourceError(_("文件为空。"))
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise SourceError(_("文件是 UTF-16 编码，请另存为 UTF-8 或 GBK 编码的 CSV。"))
    for enc in ("utf-8", "gb18030"):
        if _decodes(sample, enc):
            return enc
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    name = best.encoding if best else "未知"
    raise SourceError(
        _("无法识别文件编码（检测结果：{name}）：请另存为 UTF-8 或 GBK 编码的 CSV。").format(
            name=name
        )
    )


def _decodes(sample: bytes, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        decoder.decode(sample, final=False)  # a character cut at the sample's end is fine
    except UnicodeDecodeError:
        return False
    return True


# --- CSV -------------------------------------------------------------------------------------


def read_csv(
    path: Path, info: SourceInfo, on_bad_row: BadRow, batch_rows: int
) -> Iterator[TextBatch]:
    """Stream a CSV file (header row first) with pyarrow, every column as text."""
    encoding = detect_encoding(path)
    info.encoding = encoding
    with path.open(encoding=encoding, newline="") as fh:
        try:
            header_row = next(csv.reader(fh), None)
        except (UnicodeDecodeError, csv.Error) as exc:
            raise SourceError(_("表头无法读取：{error}").format(error=exc)) from exc
    headers = [h.strip() for h in header_row or []]
    if not headers or not any(headers):
        raise SourceError(_("文件为空。"))
    _check_headers(headers)

    def invalid(row: Any) -> str:
        on_bad_row(
            row.number,
            _("列数不符：应为 {expected} 列，实为 {actual} 列").format(
                expected=row.expected_columns, actual=row.actual_columns
            ),
        )
        return "skip"

    reader = pcsv.open_csv(
        str(path),
        read_options=pcsv.ReadOptions(
            encoding=encoding.replace("-sig", "") if encoding == "utf-8-sig" else encoding,
            column_names=[f"c{i}" for i in range(len(headers))],
            skip_rows=1,
            block_size=max(1 << 20, min(batch_rows * 160, 64 << 20)),
            use_threads=True,
        ),
        parse_options=pcsv.ParseOptions(invalid_row_handler=invalid, newlines_in_values=True),
        convert_options=pcsv.ConvertOptions(
            column_types={f"c{i}": pa.string() for i in range(len(headers))},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    if encoding == "utf-8-sig":
        pass  # the BOM sits in the header row, which pyarrow skips
    yield from _batches_of(reader, headers, info)


def _batches_of(reader: Any, headers: list[str], info: SourceInfo) -> Iterator[TextBatch]:
    row = 2
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise SourceError(_error_text(exc, info.encoding, row)) from exc
        if batch.num_rows == 0:
            continue
        info.rows_read += batch.num_rows
        yield TextBatch(headers, list(batch.columns), row)
        row += batch.num_rows


def _error_text(exc: Exception, encoding: str, row: int) -> str:
    text = str(exc)
    if "UTF8" in text or "UTF-8" in text or isinstance(exc, UnicodeDecodeError):
        return _("第 {row} 行附近的内容不是 {encoding} 编码：文件编码不一致。").format(
            row=row, encoding=encoding or "UTF-8"
        )
    return _("第 {row} 行附近无法解析：{error}").format(row=row, error=text[:200])


def _check_headers(headers: list[str]) -> None:
    seen: set[str] = set()
    for i, h in enumerate(headers, start=1):
        if not h:
            raise SourceError(_("第 {n} 列没有表头。").format(n=i))
        if h in seen:
            raise SourceError(_("表头「{name}」重复出现。").format(name=h))
        seen.add(h)


# --- rows of Python values (XLSX, JSON, databases, APIs) --------------------------------------


def text_of(value: Any) -> str | None:
    """A cell value as the text a CSV would hold (integers without '.0', ISO dates)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    return str(value)


def batches_from_rows(
    headers: list[str],
    rows: Iterator[list[Any]],
    first_row: int,
    batch_rows: int,
    info: SourceInfo,
) -> Iterator[TextBatch]:
    """Group rows of Python values into text batches."""
    buf: list[list[Any]] = []
    start = first_row
    for row in rows:
        buf.append(row)
        if len(buf) >= batch_rows:
            yield _batch(headers, buf, start)
            info.rows_read += len(buf)
            start += len(buf)
            buf = []
    if buf:
        info.rows_read += len(buf)
        yield _batch(headers, buf, start)


def _batch(headers: list[str], rows: list[list[Any]], start: int) -> TextBatch:
    cols = [pa.array([text_of(r[i]) for r in rows], pa.string()) for i in range(len(headers))]
    return TextBatch(headers, cols, start)


def read_xlsx(
    path: Path, info: SourceInfo, on_bad_row: BadRow, batch_rows: int
) -> Iterator[TextBatch]:
    """The first sheet of a workbook (python-calamine), header in the first row."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        sheet = book.get_sheet_by_index(0)
    except Exception as exc:  # noqa: BLE001 - calamine raises its own error types
        raise SourceError(_("无法打开 Excel 文件：{error}").format(error=str(exc)[:200])) from exc
    info.details["sheet"] = book.sheet_names[0] if book.sheet_names else ""
    rows = iter(sheet.iter_rows())
    header = next(rows, None)
    if header is None:
        raise SourceError(_("文件为空。"))
    headers = [str(text_of(h) or "").strip() for h in header]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise SourceError(_("文件为空。"))
    _check_headers(headers)
    n = len(headers)

    def fitted() -> Iterator[list[Any]]:
        for number, row in enumerate(rows, start=2):
            values = list(row)
            extra = [v for v in values[n:] if v not in (None, "")]
            if extra:
                on_bad_row(
                    number,
                    _("列数不符：应为 {expected} 列，实为 {actual} 列").format(
                        expected=n, actual=len(values)
                    ),
                )
                continue
            values = (values + [None] * n)[:n]  # type: ignore[assignment]
            yield [None if v == "" else v for v in values]

    yield from _numbered(headers, fitted(), batch_rows, info, skip_numbers=True)


def _numbered(
    headers: list[str],
    rows: Iterator[list[Any]],
    batch_rows: int,
    info: SourceInfo,
    *,
    skip_numbers: bool,
) -> Iterator[TextBatch]:
    # XLSX may skip ragged rows: keep each row's true number beside it.
    buf: list[list[Any]] = []
    numbers: list[int] = []
    counter = 2

    def flush() -> TextBatch:
        b = _batch(headers, buf, numbers[0])
        b.row_numbers = pa.array(numbers, pa.int64())
        info.rows_read += len(buf)
        return b

    for row in rows:
        buf.append(row)
        numbers.append(counter)
        counter += 1
        if len(buf) >= batch_rows:
            yield flush()
            buf, numbers = [], []
    if buf:
        yield flush()


def read_json(
    path: Path, info: SourceInfo, on_bad_row: BadRow, batch_rows: int
) -> Iterator[TextBatch]:
    """A JSON array of objects, or NDJSON (one object a line); keys are the headers."""
    with path.open("rb") as fh:
        head = fh.read(4096).lstrip()
    if not head:
        raise SourceError(_("文件为空。"))
    if head.startswith(b"["):
        if path.stat().st_size > JSON_ARRAY_MAX_BYTES:
            raise SourceError(_("JSON 数组文件超过 512 MB，请改用 NDJSON（每行一个对象）。"))
        try:
            records = json.loads(path.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SourceError(_("JSON 无法解析：{error}").format(error=exc)) from exc
        yield from _records(iter(enumerate(records, start=1)), info, on_bad_row, batch_rows)
        return
    yield from _records(_ndjson(path, on_bad_row), info, on_bad_row, batch_rows)


def _ndjson(path: Path, on_bad_row: BadRow) -> Iterator[tuple[int, Any]]:
    with path.open(encoding="utf-8-sig", errors="strict") as fh:
        try:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    yield number, json.loads(line)
                except json.JSONDecodeError as exc:
                    on_bad_row(number, _("不是合法的 JSON：{error}").format(error=exc.msg))
        except UnicodeDecodeError as exc:
            raise SourceError(_("NDJSON 文件不是 UTF-8 编码。")) from exc


def _records(
    records: Iterator[tuple[int, Any]], info: SourceInfo, on_bad_row: BadRow, batch_rows: int
) -> Iterator[TextBatch]:
    headers: list[str] | None = None
    buf: list[list[Any]] = []
    numbers: list[int] = []
    for number, rec in records:
        if not isinstance(rec, dict):
            on_bad_row(number, _("不是 JSON 对象"))
            continue
        if headers is None:
            headers = [str(k).strip() for k in rec]
            _check_headers(headers)
        unknown = [k for k in rec if k not in headers]
        if unknown:
            on_bad_row(number, _("含有表头以外的键：{keys}").format(keys="、".join(unknown[:5])))
            continue
        buf.append([rec.get(h) for h in headers])
        numbers.append(number)
        if len(buf) >= batch_rows:
            yield _with_numbers(headers, buf, numbers, info)
            buf, numbers = [], []
    if headers is None:
        raise SourceError(_("文件中没有数据记录。"))
    if buf:
        yield _with_numbers(headers, buf, numbers, info)


def _with_numbers(
    headers: list[str], rows: list[list[Any]], numbers: list[int], info: SourceInfo
) -> TextBatch:
    b = _batch(headers, rows, numbers[0])
    b.row_numbers = pa.array(numbers, pa.int64())
    info.rows_read += len(rows)
    return b


def read_parquet(
    path: Path, info: SourceInfo, on_bad_row: BadRow, batch_rows: int
) -> Iterator[TextBatch]:
    """A Parquet file; typed columns are turned to text and checked like any other source."""
    try:
        pf = pq.ParquetFile(str(path))
    except (pa.ArrowInvalid, OSError) as exc:
        raise SourceError(_("不是有效的 Parquet 文件：{error}").format(error=exc)) from exc
    headers = list(pf.schema_arrow.names)
    _check_headers(headers)
    row = 1
    for batch in pf.iter_batches(batch_size=batch_rows):
        cols = [_as_text(c) for c in batch.columns]
        info.rows_read += batch.num_rows
        yield TextBatch(headers, cols, row)
        row += batch.num_rows


def _as_text(arr: pa.Array) -> pa.Array:
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return arr.cast(pa.string())
    if pa.types.is_timestamp(arr.type):
        return pc.strftime(arr, format="%Y-%m-%d %H:%M:%S")
    if pa.types.is_floating(arr.type):
        return pa.array([text_of(v) for v in arr.to_pylist()], pa.string())
    try:
        return pc.cast(arr, pa.string())
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
        return pa.array([text_of(v) for v in arr.to_pylist()], pa.string())


FILE_READERS: dict[str, Callable[[Path, SourceInfo, BadRow, int], Iterator[TextBatch]]] = {
    "csv": read_csv,
    "xlsx": read_xlsx,
    "json": read_json,
    "ndjson": read_json,
    "parquet": read_parquet,
}


def file_kind(filename: str) -> str:
    """The reader for a file name's extension, or SourceError naming what is accepted."""
    ext = Path(filename).suffix.lower().lstrip(".")
    ext = {"jsonl": "ndjson", "txt": "csv", "xlsm": "xlsx"}.get(ext, ext)
    if ext not in FILE_READERS:
        raise SourceError(
            _("不支持的文件类型「{ext}」：可上传 CSV、XLSX、JSON、NDJSON 或 Parquet。").format(
                ext=ext or "?"
            )
        )
    return ext


# --- a department database (前置机) ----------------------------------------------------------


def read_database(
    url: str, query: str, info: SourceInfo, batch_rows: int, timeout_s: int
) -> Iterator[TextBatch]:
    """Rows of one SELECT on a department's front-end database (any SQLAlchemy URL)."""
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    from govshare.core.db import make_engine

    if not query.strip().lower().startswith(("select", "with")):
        raise SourceError(_("拉取查询只能是 SELECT 语句。"))
    try:
        kwargs: dict[str, Any] = {}
        if url.startswith("postgresql"):
            kwargs["connect_args"] = {
                "connect_timeout": timeout_s,
                "options": f"-c statement_timeout={timeout_s * 1000}",
            }
        engine = make_engine(url, **kwargs) if kwargs else make_engine(url)
    except (SQLAlchemyError, ValueError, ImportError) as exc:
        raise SourceError(_("数据库地址无效：{error}").format(error=str(exc)[:200])) from exc
    try:
        with engine.connect() as conn:
            result = conn.execution_options(stream_results=True).execute(text(query))
            headers = [str(k) for k in result.keys()]  # noqa: SIM118 - a Result, not a dict
            _check_headers(headers)
            rows = (list(r) for r in result)
            yield from batches_from_rows(headers, rows, 1, batch_rows, info)
    except SQLAlchemyError as exc:
        msg = str(getattr(exc, "orig", exc) or exc).strip().splitlines()[0][:300]
        raise SourceError(_("无法从部门数据库读取：{error}").format(error=msg)) from exc
    finally:
        engine.dispose()


# --- an HTTP JSON API with paging ------------------------------------------------------------

HTTP_TRANSPORT: Any = None  # tests put an httpx MockTransport here


def _dig(doc: Any, path: str) -> Any:
    for part in [p for p in path.split(".") if p]:
        if not isinstance(doc, dict) or part not in doc:
            return None
        doc = doc[part]
    return doc


def read_http(
    spec: dict[str, Any], info: SourceInfo, on_bad_row: BadRow, batch_rows: int, timeout_s: int
) -> Iterator[TextBatch]:
    """Pages of an HTTP JSON API: ``url``, ``records_path``, ``page_param``, ``size_param``…"""
    import httpx2 as httpx

    url = str(spec["url"])
    page_param = spec.get("page_param") or "page"
    size_param = spec.get("size_param") or "size"
    size = int(spec.get("page_size") or 1000)
    page = int(spec.get("first_page", 1))
    max_pages = int(spec.get("max_pages") or 100_000)
    headers = {str(k): str(v) for k, v in (spec.get("headers") or {}).items()}

    def records() -> Iterator[tuple[int, Any]]:
        nonlocal page
        number = 0
        with httpx.Client(
            transport=HTTP_TRANSPORT, timeout=timeout_s, headers=headers, follow_redirects=True
        ) as client:
            for _i in range(max_pages):
                try:
                    r = client.get(url, params={page_param: page, size_param: size})
                except httpx.HTTPError as exc:
                    raise SourceError(
                        _("无法访问接口 {url}：{error}").format(url=url, error=exc)
                    ) from exc
                if r.status_code >= 400:
                    raise SourceError(
                        _("接口返回 HTTP {status}（第 {page} 页）：{body}").format(
                            status=r.status_code, page=page, body=r.text[:200]
                        )
                    )
                try:
                    doc = r.json()
                except ValueError as exc:
                    raise SourceError(
                        _("接口第 {page} 页返回的不是 JSON。").format(page=page)
                    ) from exc
                items = _dig(doc, spec.get("records_path") or "") if isinstance(doc, dict) else doc
                if not isinstance(items, list):
                    raise SourceError(
                        _("接口第 {page} 页中找不到记录列表（路径：{path}）。").format(
                            page=page, path=spec.get("records_path") or "(根)"
                        )
                    )
                for item in items:
                    number += 1
                    yield number, item
                info.details["pages"] = info.details.get("pages", 0) + 1
                if len(items) < size:
                    return
                page += 1

    yield from _records(records(), info, on_bad_row, batch_rows)
