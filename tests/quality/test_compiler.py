"""The compiled SQL agrees with the Python validators (core.identifiers) on generated numbers."""

from __future__ import annotations

import datetime as dt
import random

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from govshare.core.areas import ALL
from govshare.core.identifiers import (
    id_problem,
    make_credit_code,
    make_id_number,
    make_org_code,
    org_code_problem,
    uscc_problem,
)
from govshare.quality.compiler import (
    Spec,
    bind,
    compile_rule,
    counts_sql,
    org_valid_sql,
    samples_sql,
    uscc_valid_sql,
)

TODAY = dt.date(2026, 12, 4)
NOW = dt.datetime(2026, 12, 4, 12, 0)
AREAS = sorted(ALL)


def _sql_fails(values: list[str], kind: str) -> list[bool]:
    spec = Spec(1, kind, ["v"])
    pred = compile_rule(spec, {"v": "C"}, now=NOW).fails
    con = duckdb.connect()
    con.execute("CREATE TABLE data (i INTEGER, v VARCHAR)")
    con.executemany("INSERT INTO data VALUES (?, ?)", list(enumerate(values)))
    rows = con.execute(f"SELECT i, {pred} FROM data ORDER BY i").fetchall()
    return [bool(r[1]) for r in rows]


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    rng = random.Random(draw(st.integers(0, 2**32)))
    born = dt.date(1850, 1, 1) + dt.timedelta(days=draw(st.integers(0, 65000)))
    number = make_id_number(rng, draw(st.sampled_from(AREAS)), born, draw(st.booleans()))
    how = draw(st.sampled_from(["valid", "digit", "check", "swap", "date", "short", "x", "15"]))
    pos = draw(st.integers(0, 17))
    if how == "digit":
        number = number[:pos] + str((int(number[pos], 36) + 1) % 10) + number[pos + 1 :]
    elif how == "check":
        number = number[:17] + draw(st.sampled_from("0123456789X"))
    elif how == "swap" and pos < 17:
        number = number[:pos] + number[pos + 1] + number[pos] + number[pos + 2 :]
    elif how == "date":
        number = number[:10] + draw(st.sampled_from(["1340", "0230", "0000", "0931"])) + number[14:]
    elif how == "short":
        number = number[: draw(st.integers(0, 17))]
    elif how == "x":
        number = number[:pos] + "X" + number[pos + 1 :]
    elif how == "15":
        number = number[:6] + number[8:17]
    return number


@settings(max_examples=60, deadline=None)
@given(st.lists(id_numbers(), min_size=1, max_size=40))
def test_citizen_id_sql_agrees_with_python(numbers):
    expected = [
        id_problem(n, today=TODAY) is not None and not (len(n) == 15 and n.isdigit())
        for n in numbers
    ]
    assert _sql_fails(numbers, "citizen_id") == expected


@st.composite
def credit_codes(draw: st.DrawFn) -> str:
    rng = random.Random(draw(st.integers(0, 2**32)))
    code = make_credit_code(rng, draw(st.sampled_from(AREAS)))
    pos = draw(st.integers(0, 17))
    how = draw(st.sampled_from(["valid", "char", "org", "short"]))
    if how == "char":
        code = (
            code[:pos]
            + draw(st.sampled_from("0123456789ABCDEFGHJKLMNPQRTUWXYIOZSV"))
            + code[pos + 1 :]
        )
    elif how == "org":
        org = make_org_code(rng)
        code = code[:8] + org + code[17]
    elif how == "short":
        code = code[:pos]
    return code


@settings(max_examples=60, deadline=None)
@given(st.lists(credit_codes(), min_size=1, max_size=40))
def test_credit_code_sql_agrees_with_python(codes):
    expected = [uscc_problem(c) is not None for c in codes]
    assert _sql_fails(codes, "credit_code") == expected


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet="0123456789ABCDXYZ-", min_size=0, max_size=11), max_size=30))
def test_org_code_sql_agrees_with_python(codes):
    con = duckdb.connect()
    got = (
        [
            bool(
                con.execute(
                    f"SELECT NOT {org_valid_sql('?')}", [c.replace("-", "")] * 10
                ).fetchone()[0]
            )
            for c in codes
        ]
        if False
        else [
            not bool(
                con.execute(
                    "SELECT " + org_valid_sql("v") + " FROM (SELECT ? AS v)", [c.replace("-", "")]
                ).fetchone()[0]
            )
            for c in codes
        ]
    )
    assert got == [org_code_problem(c) is not None for c in codes]


def test_uscc_valid_sql_on_known_codes():
    con = duckdb.connect()
    rng = random.Random(3)
    for _ in range(20):
        code = make_credit_code(rng, "371402")
        assert con.execute(f"SELECT {uscc_valid_sql('v')} FROM (SELECT ? AS v)", [code]).fetchone()[
            0
        ]


def test_one_aggregate_query_and_bounded_samples():
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE data AS SELECT i AS k, CASE WHEN i % 2 = 0 THEN 'x' END AS v "
        "FROM range(1000) t(i)"
    )
    specs = [
        Spec(1, "not_null", ["v"]),
        Spec(2, "unique", ["v"]),
        Spec(3, "length", ["v"], {"max": 0}),
    ]
    types = {"k": "I", "v": "C"}
    rules = [(s, compile_rule(s, types, now=NOW)) for s in specs]
    sql, names = counts_sql(rules)
    assert sql.count("FROM data") == 1
    counts = dict(zip(names, con.execute(sql).fetchone(), strict=True))
    assert (counts["1:failing"], counts["2:failing"], counts["3:failing"]) == (500, 499, 500)
    samples = con.execute(samples_sql(rules, ["k"], types)).fetchall()
    by_rule = {r: [s for s in samples if s[0] == r] for r in (1, 2, 3)}
    assert len(by_rule[1]) == 20 and len(by_rule[3]) == 20
    assert by_rule[2] == [(2, "", "x")]


def test_time_parameters_count_as_the_literals_and_keep_the_text_stable():
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE data AS SELECT * FROM (VALUES "
        "('110101199003070011', TIMESTAMP '2020-01-01 00:00:00'), "
        "('110101209912310015', TIMESTAMP '2099-01-01 00:00:00')) t(id, upd)"
    )
    specs = [Spec(1, "citizen_id", ["id"]), Spec(2, "date_sane", ["upd"])]
    types = {"id": "C", "upd": "T"}
    literal, names = counts_sql([(s, compile_rule(s, types, now=NOW)) for s in specs])
    stable, _n = counts_sql([(s, compile_rule(s, types, now=None)) for s in specs])
    later, _n = counts_sql([(s, compile_rule(s, types, now=None)) for s in specs])
    assert stable == later and "$now" in stable and "$today" in stable
    assert con.execute(stable, bind(stable, NOW)).fetchone() == con.execute(literal).fetchone()
    counts = dict(zip(names, con.execute(stable, bind(stable, NOW)).fetchone(), strict=True))
    assert (counts["1:failing"], counts["2:failing"]) == (1, 1)
    assert bind("SELECT 1", NOW) == {}
