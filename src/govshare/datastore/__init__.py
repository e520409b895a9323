"""Datastore: versioned datasets behind catalog resources — loads, checks, versions, downloads.

Vocabulary: dataset (数据集, the data of one catalog resource), column (列 = a data item 信息项:
name, type code C N Y D T L M G B I F, length, key, required), load (加载: replace 全量替换,
append 追加, upsert 按主键更新, delete 增量删除 with an operation column), reject (被拒绝的行:
row, column, value, reason), version (版本: immutable, with counts, SHA-256 and SM3 digests),
publish (发布: atomic switch of the current version), row store (查询库: the current version,
indexed on the key items), scan (扫描: one DuckDB query over a version's Parquet files).

Only this module touches DuckDB and the version files. Extra parts: ``engines/`` (sources,
checking, DuckDB, the row store — see its docstring), ``service/`` (split by sub-entity:
datasets, uploads, loads, versions, reads, filters, schedule), ``synthetic.py``
(deterministic synthetic person and legal-entity tables for demos, tests and benchmarks) and
``demo.py`` (the demo datasets).
"""
