"""The ten-rule person suite in Great Expectations and in Polars, for bench_quality.

Runs in its own environment (``bench/.envs/baselines``: great-expectations, polars, pandas), never
in govshare's: ``python quality_baselines.py ENGINE PARQUET NOW`` prints one JSON line with the
failing count of each rule and the seconds the checks took. The data is read into memory first
and is not timed: Great Expectations gets its fast path (timestamps as ``datetime64[ns]``, dates
as ISO text), Polars a DataFrame. Rules GE has no expectation for (the GB 11643 check digit, birth
date and gender agreeing with the ID number) are custom expectations with vectorised pandas code,
as a GE user would write them.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from typing import Any

ID, NAME, PHONE, AREA, BIRTH, GENDER, UPDATED = (
    "公民身份号码",
    "姓名",
    "联系电话",
    "户籍地区划",
    "出生日期",
    "性别",
    "更新时间",
)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
PAIR_DOMAIN = (
    "batch_id",
    "table",
    "column_A",
    "column_B",
    "row_condition",
    "condition_parser",
    "ignore_row_if",
)


def _pandas_id_valid(s: Any, today: dt.date) -> Any:
    import pandas as pd

    shaped = s.str.fullmatch(r"\d{17}[\dX]").fillna(False)
    total = sum(
        pd.to_numeric(s.str[i], errors="coerce").fillna(0).astype("int64") * w
        for i, w in enumerate(WEIGHTS)
    )
    check = total.mod(11).map(lambda k: CHECK[k])
    born = pd.to_datetime(s.str[6:14], format="%Y%m%d", errors="coerce")
    in_range = (born >= pd.Timestamp("1850-01-01")) & (born <= pd.Timestamp(today))
    return shaped & (check == s.str[17]) & in_range


def great_expectations(df: Any, now: dt.datetime, areas: list[str]) -> tuple[list[int], float]:
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.execution_engine import PandasExecutionEngine
    from great_expectations.expectations.expectation import ColumnMapExpectation
    from great_expectations.expectations.metrics.map_metric_provider import (
        ColumnMapMetricProvider,
        ColumnPairMapMetricProvider,
    )
    from great_expectations.expectations.metrics.map_metric_provider.column_condition_partial import (  # noqa: E501
        column_condition_partial,
    )
    from great_expectations.expectations.metrics.map_metric_provider.column_pair_condition_partial import (  # noqa: E501
        column_pair_condition_partial,
    )

    class ValidGb11643(ColumnMapMetricProvider):  # type: ignore[misc]
        condition_metric_name = "column_values.valid_gb11643"

        @column_condition_partial(engine=PandasExecutionEngine)  # type: ignore[misc]
        def _pandas(cls, column: Any, **kwargs: Any) -> Any:
            legacy = column.str.fullmatch(r"\d{15}").fillna(False)
            return legacy | _pandas_id_valid(column, now.date())

    class ExpectColumnValuesToBeValidGb11643(ColumnMapExpectation):  # type: ignore[misc]
        map_metric = "column_values.valid_gb11643"

    class BirthAgrees(ColumnPairMapMetricProvider):  # type: ignore[misc]
        condition_metric_name = "column_pair_values.birth_agrees_with_id"
        condition_domain_keys = PAIR_DOMAIN

        @column_pair_condition_partial(engine=PandasExecutionEngine)  # type: ignore[misc]
        def _pandas(cls, column_A: Any, column_B: Any, **kwargs: Any) -> Any:
            shaped = column_A.str.fullmatch(r"\d{17}[\dX]").fillna(False)
            missing = column_A.isna() | column_B.isna()
            agrees = column_A.str[6:14] == column_B.str.replace("-", "", regex=False)
            return missing | ~shaped | agrees

    class ExpectBirthDateToAgreeWithId(gxe.ExpectColumnPairValuesToBeEqual):  # type: ignore[misc]
        map_metric = "column_pair_values.birth_agrees_with_id"

    class GenderAgrees(ColumnPairMapMetricProvider):  # type: ignore[misc]
        condition_metric_name = "column_pair_values.gender_agrees_with_id"
        condition_domain_keys = PAIR_DOMAIN

        @column_pair_condition_partial(engine=PandasExecutionEngine)  # type: ignore[misc]
        def _pandas(cls, column_A: Any, column_B: Any, **kwargs: Any) -> Any:
            import pandas as pd

            shaped = column_A.str.fullmatch(r"\d{17}[\dX]").fillna(False)
            odd = pd.to_numeric(column_A.str[16], errors="coerce").fillna(0).astype("int64") % 2
            expected = odd.map({1: "男", 0: "女"})
            return column_A.isna() | column_B.isna() | ~shaped | (column_B == expected)

    class ExpectGenderToAgreeWithId(gxe.ExpectColumnPairValuesToBeEqual):  # type: ignore[misc]
        map_metric = "column_pair_values.gender_agrees_with_id"

    context = gx.get_context(mode="ephemeral")
    batch = (
        context.data_sources.add_pandas("people")
        .add_dataframe_asset("people")
        .add_batch_definition_whole_dataframe("all")
    )
    suite = context.suites.add(gx.ExpectationSuite(name="person"))
    expectations = [
        gxe.ExpectColumnValuesToNotBeNull(column=ID),
        gxe.ExpectColumnValuesToNotBeNull(column=NAME),
        gxe.ExpectColumnValuesToNotBeNull(column=PHONE),
        gxe.ExpectColumnValuesToBeUnique(column=ID),
        ExpectColumnValuesToBeValidGb11643(column=ID),
        gxe.ExpectColumnValuesToMatchRegex(column=PHONE, regex=r"^1[3-9]\d{9}$"),
        gxe.ExpectColumnValuesToBeInSet(column=AREA, value_set=areas),
        ExpectBirthDateToAgreeWithId(
            column_A=ID, column_B=BIRTH, ignore_row_if="either_value_is_missing"
        ),
        ExpectGenderToAgreeWithId(
            column_A=ID, column_B=GENDER, ignore_row_if="either_value_is_missing"
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column=UPDATED, min_value=dt.datetime(1900, 1, 1), max_value=now
        ),
    ]
    for e in expectations:
        suite.add_expectation(e)
    vd = context.validation_definitions.add(
        gx.ValidationDefinition(name="person", data=batch, suite=suite)
    )
    started = time.perf_counter()
    result = vd.run(batch_parameters={"dataframe": df}, result_format="BASIC")
    elapsed = time.perf_counter() - started
    by_key: dict[tuple[str, str], int] = {}
    for r in result.results:
        if r.exception_info and r.exception_info.get("raised_exception"):
            raise RuntimeError(str(r.exception_info))
        kw = r.expectation_config.kwargs
        key = (r.expectation_config.type, kw.get("column") or kw.get("column_B"))
        by_key[key] = int(r.result.get("unexpected_count", 0))
    order = [(e.expectation_type, getattr(e, "column", None) or e.column_B) for e in expectations]
    counts = [by_key[k] for k in order]
    # GE's uniqueness counts every copy of a repeated value; ours counts rows beyond the first.
    dup = df[ID].dropna()
    counts[3] = int(len(dup) - dup.nunique()) if counts[3] else 0
    return counts, elapsed


def polars(df: Any, now: dt.datetime, areas: list[str]) -> tuple[list[int], float]:
    import polars as pl

    idc = pl.col(ID)
    shaped = idc.str.contains(r"^\d{17}[\dX]$")
    total = sum(
        idc.str.slice(i, 1).cast(pl.Int64, strict=False).fill_null(0) * w
        for i, w in enumerate(WEIGHTS)
    )
    check = pl.lit(CHECK).str.slice(total % 11, 1)
    born = idc.str.slice(6, 8).str.strptime(pl.Date, "%Y%m%d", strict=False)
    valid = (
        shaped & (check == idc.str.slice(17, 1)) & born.is_between(dt.date(1850, 1, 1), now.date())
    )
    legacy = idc.str.contains(r"^\d{15}$")
    odd = idc.str.slice(16, 1).cast(pl.Int64, strict=False) % 2 == 1
    blank = lambda c: (pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "")).sum()  # noqa: E731
    started = time.perf_counter()
    row = df.select(
        blank(ID),
        blank(NAME),
        blank(PHONE),
        (idc.count() - idc.drop_nulls().n_unique()).alias("u"),
        (idc.is_not_null() & ~legacy & ~valid.fill_null(False)).sum().alias("c"),
        (pl.col(PHONE).is_not_null() & ~pl.col(PHONE).str.contains(r"^1[3-9]\d{9}$"))
        .sum()
        .alias("m"),
        (pl.col(AREA).is_not_null() & ~pl.col(AREA).is_in(areas)).sum().alias("a"),
        (
            idc.is_not_null()
            & pl.col(BIRTH).is_not_null()
            & shaped
            & (pl.col(BIRTH).dt.strftime("%Y%m%d") != idc.str.slice(6, 8))
        )
        .sum()
        .alias("b"),
        (
            idc.is_not_null()
            & pl.col(GENDER).is_not_null()
            & shaped
            & (pl.col(GENDER) != pl.when(odd).then(pl.lit("男")).otherwise(pl.lit("女")))
        )
        .sum()
        .alias("g"),
        (
            pl.col(UPDATED).is_not_null()
            & ((pl.col(UPDATED) > now) | (pl.col(UPDATED) < dt.datetime(1900, 1, 1)))
        )
        .sum()
        .alias("t"),
    ).row(0)
    elapsed = time.perf_counter() - started
    return [int(v) for v in row], elapsed


def main() -> None:
    engine, path, now_text, areas_text = sys.argv[1:5]
    now = dt.datetime.fromisoformat(now_text)
    areas = areas_text.split(",")
    if engine == "ge":
        import pandas as pd

        df = pd.read_parquet(path)
        df[UPDATED] = df[UPDATED].astype("datetime64[ns]")
        df[BIRTH] = pd.to_datetime(df[BIRTH]).dt.strftime("%Y-%m-%d")
        counts, elapsed = great_expectations(df, now, areas)
    else:
        import polars as pl

        counts, elapsed = polars(pl.read_parquet(path), now, areas)
    print(json.dumps({"engine": engine, "counts": counts, "seconds": elapsed}))


if __name__ == "__main__":
    main()
