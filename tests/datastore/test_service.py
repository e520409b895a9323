"""Loading, checking, versions, publishing, reads: the datastore's use cases end to end."""

from __future__ import annotations

import json

import pytest

from govshare.core.errors import Conflict, Invalid, NotFound
from govshare.datastore import service
from govshare.datastore.models import DatasetVersion
from govshare.datastore.synthetic import person_header, person_rows
from tests.datastore.helpers import load, make_dataset, people_csv, write_rows


@pytest.fixture
def steward(actor):
    return actor("steward")


@pytest.fixture
def ds(session, steward):
    return make_dataset(session, steward)


def _current(session, ds) -> DatasetVersion:
    session.refresh(ds)
    return session.get(DatasetVersion, ds.current_version_id)


class TestLoadDataset:
    def test_clean_csv_becomes_version_1_with_digests_profile_and_preview(
        self, db, session, steward, ds, tmp_path
    ):
        rec = load(db, session, steward, ds, people_csv(tmp_path / "p.csv", 300))
        assert rec.status == "succeeded", rec.error
        v = _current(session, ds)
        assert (v.number, v.rows, v.inserted, v.rejected) == (1, 300, 300, 0)
        assert len(v.sha256) == 64 and len(v.sm3) == 64 and v.sha256 != v.sm3
        assert v.preview[0]["公民身份号码"] == next(person_rows(1))[2]
        gender = next(p for p in v.profile if p["name"] == "性别")
        assert gender["nulls"] == 0 and gender["distinct"] == 2
        assert {t[0] for t in gender["top"]} == {"男", "女"}

    def test_profile_from_a_sample_still_counts_top_values_exactly(
        self, db, session, steward, ds, tmp_path, monkeypatch
    ):
        from govshare.datastore.engines import duck

        monkeypatch.setattr(duck, "PROFILE_SAMPLE_FROM", 1)  # a large file's way, on 3,000 rows
        rows = list(person_rows(3000))
        load(db, session, steward, ds, write_rows(tmp_path / "p.csv", person_header(), rows))
        gender = next(p for p in _current(session, ds).profile if p["name"] == "性别")
        men = sum(r[1] == "男" for r in rows)
        assert sorted(gender["top"], key=lambda t: t[0]) == [["女", 3000 - men], ["男", men]]

    def test_gbk_file_with_bad_rows_rejects_each_with_row_column_value_reason(
        self, db, session, steward, ds, tmp_path
    ):
        rows = list(person_rows(100))
        rows[4][0] = "张" * 30  # too long
        rows[9][3] = "1985年13月40日"  # impossible date
        rows[14][2] = ""  # key missing
        rows[19][2] = rows[3][2]  # duplicate key
        rows[24] = rows[24][:5]  # ragged
        path = write_rows(tmp_path / "gbk.csv", person_header(), rows, encoding="gbk")
        rec = load(db, session, steward, ds, path)
        assert rec.status == "succeeded", rec.error
        by_row = {r[0]: r for r in rec.reject_sample}
        assert by_row[6][1:] == ["姓名", "张" * 30, "长度 30 超过 20 个字符"]
        assert by_row[11][1] == "出生日期" and "日期格式" in by_row[11][3]
        assert by_row[16][1] == "公民身份号码" and by_row[16][3] == "主键信息项为空"
        assert "主键重复：与第 5 行相同" in by_row[21][3]
        assert "列数不符" in by_row[26][3]
        assert rec.rows_rejected == 5
        v = _current(session, ds)
        assert v.rows == 95 and v.source["encoding"] == "gb18030"

    def test_duplicate_key_row_is_left_out_of_the_file_and_the_row_store(
        self, db, session, steward, ds, tmp_path
    ):
        rows = list(person_rows(50))
        rows[19][2], rows[19][0] = rows[3][2], "重复者"
        rec = load(db, session, steward, ds, write_rows(tmp_path / "d.csv", person_header(), rows))
        assert rec.status == "succeeded", rec.error
        assert [r[0] for r in rec.reject_sample] == [21]
        found = service.lookup_rows(session, steward, ds.resource_id, [rows[3][2]])
        assert [r["姓名"] for r in found] == [rows[3][0]]
        page = service.page_rows(session, steward, ds.resource_id, limit=100)
        assert len(page.rows) == 49 and "重复者" not in {r["姓名"] for r in page.rows}
        assert page.rows[0]["更新时间"] == rows[0][9]  # whole seconds, as filters compare them
        _n, _t, body = service.download_version(session, steward, ds.id, fmt="csv")
        text = b"".join(body).decode("utf-8-sig")
        assert text.count("\n") == 50 and "重复者" not in text

    def test_rejects_over_the_threshold_fail_the_load_and_keep_the_current_version(
        self, db, session, steward, tmp_path
    ):
        ds = make_dataset(session, steward, threshold=0.01)
        load(db, session, steward, ds, people_csv(tmp_path / "ok.csv", 50))
        before = _current(session, ds)

        def spoil(rows):
            for r in rows[:10]:
                r[3] = "不是日期"
            return rows

        rec = load(db, session, steward, ds, people_csv(tmp_path / "bad.csv", 50, edit=spoil))
        assert rec.status == "failed" and "超过阈值" in rec.error
        assert rec.has_reject_file
        assert _current(session, ds).id == before.id
        csv_text = b"".join(service.export_rejects(session, steward, rec.id)).decode("utf-8-sig")
        assert csv_text.count("日期格式无法识别") == 10

    @pytest.mark.parametrize(
        "content,encoding,message",
        [
            (b"", None, "文件为空"),
            ("姓名,性别,公民身份号码\n".encode(), None, "只有表头"),
            ("姓名,职业,公民身份号码\n张三,工人,1\n".encode(), None, "「职业」对应不到任何信息项"),
            ("\xff\xfe\x00\x00garbage".encode("latin-1"), None, "UTF-16"),
        ],
    )
    def test_bad_sources_fail_with_a_clear_message(
        self, db, session, steward, ds, tmp_path, content, encoding, message
    ):
        path = tmp_path / "bad.csv"
        path.write_bytes(content)
        rec = load(db, session, steward, ds, path)
        assert rec.status == "failed" and message in rec.error
        session.refresh(ds)
        assert ds.current_version_id is None

    def test_mixed_encoding_is_reported(self, db, session, steward, ds, tmp_path):
        path = people_csv(tmp_path / "u.csv", 20)
        with path.open("ab") as fh:
            fh.write(
                "李四,男,371402199001011234,1990-01-01,汉族,371402,德城区,1,2020-01-01,"
                "2024-01-01 00:00:00,是,1\n".encode("gbk")
            )
        rec = load(db, session, steward, ds, path)
        assert rec.status == "failed" and "编码" in rec.error

    def test_second_load_replaces_and_counts_changes(self, db, session, steward, ds, tmp_path):
        load(db, session, steward, ds, people_csv(tmp_path / "a.csv", 100))

        def change(rows):
            rows[0][0] = "改名"
            return rows[:90] + list(person_rows(5, start=1000))

        rec = load(db, session, steward, ds, people_csv(tmp_path / "b.csv", 100, edit=change))
        assert rec.status == "succeeded"
        v = _current(session, ds)
        assert (v.number, v.rows, v.inserted, v.updated, v.deleted) == (2, 95, 5, 1, 10)
        diff = service.diff_versions(session, steward, ds.id, 1, 2)
        assert (diff.added, diff.changed, diff.removed) == (5, 1, 10)
        changed = next(r for r in diff.rows if r["kind"] == "changed")
        assert changed["changes"]["姓名"][1] == "改名"

    def test_append_upsert_and_delete_modes(self, db, session, steward, ds, tmp_path):
        load(db, session, steward, ds, people_csv(tmp_path / "a.csv", 10))
        rec = load(
            db, session, steward, ds, people_csv(tmp_path / "b.csv", 5, start=10), mode="append"
        )
        assert _current(session, ds).rows == 15, rec.error
        dup = load(db, session, steward, ds, people_csv(tmp_path / "c.csv", 2), mode="append")
        assert dup.rows_rejected == 2 and "已存在" in dup.reject_sample[0][3]

        def rename(rows):
            rows[0][0] = "新名字"
            return rows

        load(
            db, session, steward, ds, people_csv(tmp_path / "d.csv", 3, edit=rename), mode="upsert"
        )
        v = _current(session, ds)
        assert v.rows == 15 and v.updated == 1
        first = next(person_rows(1))
        header = ["操作", "公民身份号码"]
        path = write_rows(tmp_path / "del.csv", header, [["D", first[2]]])
        load(db, session, steward, ds, path, mode="delete")
        v = _current(session, ds)
        assert v.rows == 14 and v.deleted == 1

    def test_upsert_needs_key_items(self, session, steward, tmp_path):
        ds = make_dataset(session, steward, columns=[{"name": "值", "type_code": "C"}])
        path = write_rows(tmp_path / "x.csv", ["值"], [["a"]])
        with pytest.raises(Invalid):
            service.load_file(session, steward, ds.id, path, mode="upsert")

    def test_saved_mapping_renames_and_ignores_headers(self, db, session, steward, ds, tmp_path):
        from govshare.datastore.schemas import DatasetUpdate

        header = ["姓名X", *person_header()[1:], "备注"]
        path = write_rows(tmp_path / "m.csv", header, [[*r, "x"] for r in person_rows(5)])
        service.update_dataset(
            session, steward, ds.id, DatasetUpdate(mapping={"姓名X": "姓名", "备注": ""})
        )
        rec = load(db, session, steward, ds, path)
        assert rec.status == "succeeded", rec.error

    @pytest.mark.parametrize("fmt", ["xlsx", "json", "ndjson", "parquet"])
    def test_other_file_formats(self, db, session, steward, ds, tmp_path, fmt):
        rows = list(person_rows(30))
        header = person_header()
        path = tmp_path / f"p.{fmt}"
        if fmt == "xlsx":
            from openpyxl import Workbook

            wb = Workbook()
            ws = wb.active
            ws.append(header)
            for r in rows:
                ws.append([int(r[11]) if i == 11 else v for i, v in enumerate(r)])
            wb.save(path)
        elif fmt == "json":
            path.write_text(
                json.dumps([dict(zip(header, r, strict=True)) for r in rows], ensure_ascii=False)
            )
        elif fmt == "ndjson":
            path.write_text(
                "\n".join(
                    json.dumps(dict(zip(header, r, strict=True)), ensure_ascii=False) for r in rows
                )
            )
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            pq.write_table(pa.table({h: [r[i] for r in rows] for i, h in enumerate(header)}), path)
        rec = load(db, session, steward, ds, path)
        assert rec.status == "succeeded", rec.error
        assert _current(session, ds).rows == 30


class TestPublishGate:
    def test_a_gate_can_refuse_a_version(self, db, session, steward, ds, tmp_path):
        load(db, session, steward, ds, people_csv(tmp_path / "a.csv", 10))

        def gate(s, candidate):
            result = service.run_scan(
                s,
                candidate.actor,
                candidate.resource_id,
                candidate.number,
                "SELECT count(*) FROM data",
            )
            return ["行数太少"] if result.rows[0][0] < 50 else []

        service.configure_gates([gate])
        try:
            rec = load(db, session, steward, ds, people_csv(tmp_path / "b.csv", 12))
        finally:
            service.configure_gates([])
        assert rec.status == "refused" and "行数太少" in rec.error
        v = _current(session, ds)
        assert v.number == 1
        versions = service.list_versions(session, steward, ds.id)
        assert versions[0].status == "refused"


class TestReads:
    @pytest.fixture
    def loaded(self, db, session, steward, ds, tmp_path):
        load(db, session, steward, ds, people_csv(tmp_path / "a.csv", 200))
        session.refresh(ds)
        return ds

    def test_lookup_rows_returns_requested_columns_in_key_order(self, session, steward, loaded):
        people = list(person_rows(3))
        keys = [people[2][2], "000000000000000000", people[0][2]]
        rows = service.lookup_rows(
            session, steward, loaded.resource_id, keys, columns=["姓名", "出生日期", "是否有效"]
        )
        assert rows == [
            {"姓名": people[2][0], "出生日期": people[2][3], "是否有效": True},
            {"姓名": people[0][0], "出生日期": people[0][3], "是否有效": True},
        ]

    def test_lookup_refuses_more_than_1000_keys(self, session, steward, loaded):
        with pytest.raises(Invalid):
            service.lookup_rows(session, steward, loaded.resource_id, ["1"] * 1001)

    def test_page_rows_with_filter_and_cursor(self, session, steward, loaded):
        page = service.page_rows(
            session,
            steward,
            loaded.resource_id,
            filter_text="性别=男; 户籍地区划 in 371402,371403",
            limit=10,
        )
        assert page.rows and all(r["性别"] == "男" for r in page.rows)
        assert all(r["户籍地区划"] in ("371402", "371403") for r in page.rows)
        nxt = service.page_rows(
            session,
            steward,
            loaded.resource_id,
            filter_text="性别=男; 户籍地区划 in 371402,371403",
            cursor=page.next_cursor,
            limit=10,
        )
        assert not {r["公民身份号码"] for r in nxt.rows} & {r["公民身份号码"] for r in page.rows}

    def test_bad_filter_is_invalid(self, session, steward, loaded):
        with pytest.raises(Invalid, match="不是本数据集的信息项"):
            service.page_rows(session, steward, loaded.resource_id, filter_text="职业=工人")
        with pytest.raises(Invalid):
            service.page_rows(session, steward, loaded.resource_id, cursor="!!")

    def test_search_rows_ckan_semantics(self, session, steward, loaded):
        r = service.search_rows(
            session,
            steward,
            loaded.resource_id,
            filters={"性别": "女"},
            fields=["姓名", "性别"],
            sort="出生日期 desc",
            limit=5,
        )
        assert r.total > 5 and len(r.records) == 5
        assert all(x["性别"] == "女" for x in r.records)
        q = service.search_rows(session, steward, loaded.resource_id, q="德州市", limit=1)
        assert q.total == 200

    def test_run_scan_counts_and_refuses_other_files(self, session, steward, loaded):
        r = service.run_scan(
            session,
            steward,
            loaded.resource_id,
            None,
            "SELECT count(*) FILTER (WHERE 性别 = ?) AS men, count(*) FROM data",
            ["男"],
        )
        assert r.rows[0][1] == 200 and 0 < r.rows[0][0] < 200
        for sql in (
            "SELECT * FROM read_csv('/etc/passwd')",
            "COPY data TO '/tmp/x.csv'",
            "SELECT getenv('HOME')",
            "SELECT * FROM audit_entry",
        ):
            with pytest.raises(Invalid):
                service.run_scan(session, steward, loaded.resource_id, None, sql)

    def test_scan_sql_is_remembered_only_once_it_passed_for_those_relations(self):
        from govshare.datastore.engines import duck

        for _ in range(2):
            with pytest.raises(duck.QueryRefused):
                duck.check_sql("SELECT getenv('HOME')", ["data"])
        duck.check_sql("SELECT count(*) FROM data, ref", ["data", "ref"])
        with pytest.raises(duck.QueryRefused):
            duck.check_sql("SELECT count(*) FROM data, ref", ["data"])

    def test_run_scan_row_cap(self, session, steward, loaded):
        r = service.run_scan(
            session, steward, loaded.resource_id, None, "SELECT 姓名 FROM data", row_cap=7
        )
        assert len(r.rows) == 7 and r.truncated

    def test_query_version_as_of(self, db, session, steward, loaded, tmp_path):
        load(db, session, steward, loaded, people_csv(tmp_path / "b.csv", 20))
        old = service.query_version(session, steward, loaded.resource_id, 1, limit=500)
        new = service.query_version(session, steward, loaded.resource_id, None, limit=500)
        assert (len(old.rows), len(new.rows)) == (200, 20)

    @pytest.mark.parametrize("fmt", ["csv", "json", "xlsx", "parquet"])
    def test_download_formats(self, session, steward, loaded, fmt):
        name, media, stream = service.download_version(
            session, steward, loaded.id, 1, fmt=fmt, filter_text="性别=男"
        )
        body = b"".join(stream)
        assert name.endswith(f".{fmt}")
        if fmt == "csv":
            text = body.decode("utf-8")
            assert text.startswith("\ufeff姓名,性别")
            import csv
            import io

            rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
            assert len(rows) > 1 and all(r[1] == "男" for r in rows[1:])
        if fmt == "json":
            assert all(r["性别"] == "男" for r in json.loads(body))

    def test_xlsx_over_excels_limit_is_refused_with_a_hint(
        self, session, steward, loaded, monkeypatch
    ):
        from govshare.datastore.service import versions

        monkeypatch.setattr(versions, "XLSX_MAX_ROWS", 100)
        with pytest.raises(Invalid, match="CSV"):
            service.download_version(session, steward, loaded.id, 1, fmt="xlsx")

    def test_other_department_cannot_read_rows(self, session, actor, loaded):
        with pytest.raises(Exception) as exc:
            service.lookup_rows(session, actor("consumer"), loaded.resource_id, ["1"])
        assert type(exc.value).__name__ == "NotAuthorized"
        rows = service.lookup_rows(
            session,
            actor("consumer"),
            loaded.resource_id,
            [next(person_rows(1))[2]],
            authorized_by="sharing.grant:1",
        )
        assert len(rows) == 1


class TestUploads:
    def test_resumable_upload_then_load(self, db, session, steward, ds, tmp_path):
        from govshare.datastore.schemas import UploadCreate
        from tests.datastore.helpers import run_jobs

        data = people_csv(tmp_path / "p.csv", 40).read_bytes()
        up = service.create_upload(
            session, steward, ds.id, UploadCreate(filename="p.csv", size=len(data))
        )
        service.upload_chunk(session, steward, up.id, 0, data[:1000])
        with pytest.raises(Conflict) as exc:
            service.upload_chunk(session, steward, up.id, 0, data[:1000])
        assert "1000" in exc.value.detail
        assert service.get_upload(session, steward, up.id).received == 1000
        service.upload_chunk(session, steward, up.id, 1000, data[1000:])
        rec = service.load_dataset(session, steward, ds.id, up.id)
        session.commit()
        run_jobs(db)
        session.refresh(rec)
        assert rec.status == "succeeded" and _current(session, ds).rows == 40

    def test_a_5_gb_file_over_the_limit_is_refused_before_any_byte(
        self, session, steward, ds, settings, monkeypatch
    ):
        from govshare.datastore.schemas import UploadCreate

        monkeypatch.setattr(settings, "datastore_upload_max_bytes", 4 * 1024**3)
        with pytest.raises(Invalid, match="超过上传上限"):
            service.create_upload(
                session, steward, ds.id, UploadCreate(filename="big.csv", size=5 * 1024**3)
            )

    def test_unfinished_upload_cannot_be_loaded(self, session, steward, ds):
        from govshare.datastore.schemas import UploadCreate

        up = service.create_upload(
            session, steward, ds.id, UploadCreate(filename="p.csv", size=100)
        )
        with pytest.raises(Conflict):
            service.load_dataset(session, steward, ds.id, up.id)


class TestPulls:
    def test_http_api_with_paging(self, db, session, steward, ds, tmp_path):
        import httpx2 as httpx

        from govshare.datastore.engines import sources
        from govshare.datastore.schemas import DatasetUpdate
        from tests.datastore.helpers import run_jobs

        people = [dict(zip(person_header(), r, strict=True)) for r in person_rows(25)]

        def handler(request):
            page = int(request.url.params["page"])
            size = int(request.url.params["size"])
            return httpx.Response(
                200, json={"data": {"items": people[(page - 1) * size : page * size]}}
            )

        sources.HTTP_TRANSPORT = httpx.MockTransport(handler)
        try:
            service.update_dataset(
                session,
                steward,
                ds.id,
                DatasetUpdate(
                    pull_kind="http",
                    pull_config={
                        "url": "http://dept.example/api/people",
                        "records_path": "data.items",
                        "page_size": 10,
                    },
                ),
            )
            rec = service.pull_dataset(session, steward, ds.id)
            session.commit()
            run_jobs(db)
        finally:
            sources.HTTP_TRANSPORT = None
        session.refresh(rec)
        assert rec.status == "succeeded", rec.error
        assert _current(session, ds).rows == 25

    def test_api_answering_500_fails_with_the_status(self, db, session, steward, ds):
        import httpx2 as httpx

        from govshare.datastore.engines import sources
        from govshare.datastore.schemas import DatasetUpdate
        from tests.datastore.helpers import run_jobs

        sources.HTTP_TRANSPORT = httpx.MockTransport(lambda r: httpx.Response(500, text="boom"))
        try:
            service.update_dataset(
                session,
                steward,
                ds.id,
                DatasetUpdate(pull_kind="http", pull_config={"url": "http://dept.example/api"}),
            )
            rec = service.pull_dataset(session, steward, ds.id)
            session.commit()
            run_jobs(db)
        finally:
            sources.HTTP_TRANSPORT = None
        session.refresh(rec)
        assert rec.status == "failed" and "HTTP 500" in rec.error

    def test_database_pull_and_unreachable_database(self, db, session, steward, ds, tmp_path):
        import sqlite3

        from govshare.datastore.schemas import DatasetUpdate
        from tests.datastore.helpers import run_jobs

        src = tmp_path / "front.sqlite3"
        con = sqlite3.connect(src)
        cols = ", ".join(f'"{h}"' for h in person_header())
        con.execute(f"CREATE TABLE people ({cols})")
        con.executemany(f"INSERT INTO people VALUES ({', '.join('?' * 12)})", list(person_rows(15)))
        con.commit()
        con.close()
        service.update_dataset(
            session,
            steward,
            ds.id,
            DatasetUpdate(
                pull_kind="database",
                pull_config={"query": "SELECT * FROM people"},
                pull_secret=f"sqlite:///{src}",
            ),
        )
        rec = service.pull_dataset(session, steward, ds.id)
        session.commit()
        run_jobs(db)
        session.refresh(rec)
        assert rec.status == "succeeded", rec.error
        service.update_dataset(
            session,
            steward,
            ds.id,
            DatasetUpdate(pull_secret="postgresql+psycopg://nobody@127.0.0.1:1/none"),
        )
        rec = service.pull_dataset(session, steward, ds.id)
        session.commit()
        run_jobs(db)
        session.refresh(rec)
        assert rec.status == "failed" and "无法从部门数据库读取" in rec.error
        assert _current(session, ds).number == 1

    def test_enqueue_due_pulls(self, session, steward, ds):
        import datetime as dt

        from govshare.core.db import utcnow
        from govshare.datastore.schemas import DatasetUpdate

        service.update_dataset(
            session,
            steward,
            ds.id,
            DatasetUpdate(
                pull_kind="http", pull_config={"url": "http://x"}, schedule_cron="0 2 * * *"
            ),
        )
        assert ds.next_pull_at is not None
        assert service.enqueue_due_pulls(session, utcnow()) == []
        loads = service.enqueue_due_pulls(session, ds.next_pull_at + dt.timedelta(minutes=1))
        assert [x.dataset_id for x in loads] == [ds.id]

    def test_the_scheduler_tick_enqueues_due_pulls(self, session, steward, ds):
        import datetime as dt

        from govshare import schedule
        from govshare.datastore.schemas import DatasetUpdate

        service.update_dataset(
            session,
            steward,
            ds.id,
            DatasetUpdate(
                pull_kind="http", pull_config={"url": "http://x"}, schedule_cron="0 2 * * *"
            ),
        )
        pulls = dict(schedule.passes())["datastore.pulls"]
        assert pulls(session, ds.next_pull_at + dt.timedelta(minutes=1)) == {"enqueued": 1}
        assert pulls(session, ds.next_pull_at + dt.timedelta(minutes=1)) == {"enqueued": 0}


class TestRetention:
    def test_old_versions_files_are_removed(self, db, session, steward, tmp_path):
        from govshare.datastore.schemas import DatasetUpdate

        ds = make_dataset(session, steward)
        service.update_dataset(session, steward, ds.id, DatasetUpdate(retention_versions=2))
        for i in range(3):
            load(db, session, steward, ds, people_csv(tmp_path / f"{i}.csv", 5 + i))
        versions = {v.number: v.status for v in service.list_versions(session, steward, ds.id)}
        assert versions == {3: "published", 2: "superseded", 1: "removed"}
        with pytest.raises(NotFound, match="保留策略"):
            service.download_version(session, steward, ds.id, 1)


class TestCreateDatasetForResource:
    def test_columns_come_from_the_resources_data_items(self, session, steward):
        from tests.datastore.helpers import make_resource_for

        resource = make_resource_for(
            session,
            [
                {"name": "统一社会信用代码", "type_code": "C", "length": "18", "is_key": True},
                {"name": "注册资本", "type_code": "Y"},
                {"name": "成立日期", "type_code": "D", "required": True},
            ],
            "法人",
        )
        ds = service.create_dataset_for_resource(session, steward, resource.id)
        assert (ds.code, ds.name, ds.resource_id) == (resource.code, resource.name, resource.id)
        assert ds.columns == [
            {
                "name": "统一社会信用代码",
                "type_code": "C",
                "length": "18",
                "is_key": True,
                "required": True,
            },
            {
                "name": "注册资本",
                "type_code": "Y",
                "length": None,
                "is_key": False,
                "required": False,
            },
            {
                "name": "成立日期",
                "type_code": "D",
                "length": None,
                "is_key": False,
                "required": True,
            },
        ]
        assert service.get_dataset_by_resource(session, steward, resource.id).id == ds.id
        with pytest.raises(Conflict):
            service.create_dataset_for_resource(session, steward, resource.id)

    def test_unpublished_resource_cannot_hold_a_dataset(self, session, steward):
        from tests.builders import make_resource

        draft = make_resource(session, "市统计局", name="草稿资源")
        with pytest.raises(Conflict, match="已发布"):
            service.create_dataset_for_resource(session, steward, draft.id)

    def test_another_departments_steward_is_refused(self, session, actor):
        from tests.datastore.helpers import make_resource_for

        resource = make_resource_for(session, [{"name": "编号", "is_key": True}], "别人的")
        with pytest.raises(Exception) as exc:
            service.create_dataset_for_resource(session, actor("other_admin"), resource.id)
        assert type(exc.value).__name__ in ("NotAuthorized", "NotFound")


class TestTimeLimits:
    def test_scan_past_its_time_limit_is_stopped(self, db, session, steward, tmp_path):
        ds = make_dataset(session, steward)
        load(db, session, steward, ds, people_csv(tmp_path / "a.csv", 200))
        with pytest.raises(Conflict, match="时限"):
            service.run_scan(
                session,
                steward,
                ds.resource_id,
                None,
                "SELECT count(*) FROM data a, data b, data c, data d",
                timeout_ms=50,
            )

    def test_row_store_query_past_its_time_limit_is_stopped(self, tmp_path):
        from govshare.datastore.engines.columns import Column
        from govshare.datastore.engines.serving import QueryTimeout, SqliteStore

        store = SqliteStore(tmp_path)
        w = store.writer("x", [Column("a", "I", is_key=True)], [])
        import pyarrow as pa

        w.write(pa.record_batch([pa.array([1, 2, 3])], names=["a"]))
        w.finish()
        slow = (
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
            "SELECT count(*) FROM c, {t}"
        )
        with pytest.raises(QueryTimeout):
            store.query("x", slow, {}, timeout_ms=50)
        assert store.query("x", "SELECT count(*) FROM {t}", {}, timeout_ms=50) == [(3,)]
        store.close()
