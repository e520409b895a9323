"""The datastore's storage engines: the only code of govshare that touches DuckDB and Arrow files.

- ``sources``: readers that turn every source (CSV in UTF-8/GBK/GB18030, XLSX, JSON, NDJSON,
  Parquet, a department database, an HTTP JSON API) into batches of text columns with row numbers.
- ``checking``: typing and checking of a batch against the column specification (type code,
  length, required, key), rejected rows with row, column, value and reason.
- ``duck``: DuckDB over the versions' Parquet files — staging merges, key uniqueness, profiles,
  diffs, downloads, and sandboxed scans for other modules (time limit, row cap, allowed functions).
- ``serving``: the row store of current versions (one SQLite file per version, or one PostgreSQL
  table per version), indexed on the key items, for lookups, filtered pages and search.
"""
