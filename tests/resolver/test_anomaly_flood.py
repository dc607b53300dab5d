"""Made-up serials under a real GTIN (issue #18): grouped into one row per product, the anomaly list paged and
its pages small, and each network prefix allowed only so many unknown codes recorded, while the shopper is
still answered. On SQLite and PostgreSQL (the grouping and paging are SQL)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text

from tests.conftest import close_app, make_settings
from tests.resolver.conftest import packages, scan_rows
from tests.security.conftest import redis_url, unique_secret
from tests.support.accounts import GAC_PRODUCER, INSPECTOR
from tests.web.conftest import sign_in_as
from tracer import create_app
from tracer.inspection import dashboard
from tracer.platform import db
from tracer.platform import migrate as schema
from tracer.platform.clock import today
from tracer.platform.db import make_engine
from tracer.platform.ratelimit import Limit, RateLimiter
from tracer.platform.services import services
from tracer.scans import anomalies
from tracer.scans import recorder as scans
from tracer.scans.unknown import UnknownCodes

GAC_GTIN = "08935049500018"  # Dầu gấc Mỹ Cẩm, HTX Nông nghiệp Mỹ Cẩm (Trà Vinh)
SMALL = 100_000  # bytes: a dashboard page stays under this however many codes were made up


def fake(i: int) -> str:
    return f"/01/{GAC_GTIN}/21/FAKE{i:06d}"


def _get(client, path, address):
    return client.get(path, environ_base={"REMOTE_ADDR": address})


def _unknown(app) -> list:
    return scan_rows(app, outcome="unknown")


def _insert_unknown(app, rows: list[dict]) -> None:
    """Unknown scans written straight into the table (what thousands of requests would leave there)."""
    base = {"serial": None, "outcome": "unknown", "client_hash": "0" * 64, "user_agent_family": "",
            "gtin": None, "province": None}  # fmt: skip
    with services(app).engine.begin() as conn:
        conn.execute(insert(scans.SCANS), [base | row for row in rows])


def _key(a: anomalies.Anomaly) -> tuple:
    return (a.kind, a.serial, a.product_id, a.province)


def _rows_shown(html: str) -> int:
    return len(re.findall(r'<tr class="anomaly-', html))


# -- grouping ----------------------------------------------------------------------------------------------


def test_made_up_serials_under_a_real_gtin_are_one_row_for_its_product(demo_client, demo_app):
    n = 2_100
    for i in range(n):  # each from its own /24: no limit applies
        answer = _get(demo_client, fake(i), f"10.{i // 250}.{i % 250}.9")
        assert answer.status_code == 404
    _get(demo_client, fake(0), "10.200.0.9")  # a code scanned twice: one code, two scans
    _get(demo_client, f"/01/{GAC_GTIN}/10/LFAKE/21/FAKE999999", "10.201.0.9")  # with a lot: same product
    assert len(_unknown(demo_app)) == n + 2
    with demo_app.app_context():
        found = anomalies.anomalies(db.session())
    unknown = [a for a in found.rows if a.kind == "unknown_code"]
    assert len(unknown) == 1
    [row] = unknown
    assert (row.product_name, row.province) == ("Dầu gấc Mỹ Cẩm", "Trà Vinh")
    assert (row.codes, row.count) == (n + 1, n + 2)
    assert row.serial is None and row.code is None
    assert len(row.examples) == anomalies.EXAMPLES == len(set(row.examples))
    assert all(f"/01/{GAC_GTIN}/" in code for code in row.examples)
    assert row.first_at <= row.last_at
    assert found.total == len(found.rows)  # the demo's few anomalies and this one row: one page


def test_codes_naming_none_of_our_products_are_one_row_per_province(demo_app):
    now = datetime.now(UTC) - timedelta(minutes=1)
    _insert_unknown(demo_app, [
        *({"code": f"/p/FAKE{i:04d}", "province": "Cần Thơ", "scanned_at": now} for i in range(30)),
        *({"code": f"/01/09506000134352/21/X{i}", "gtin": "09506000134352", "province": "Cần Thơ",
           "scanned_at": now} for i in range(5)),  # a GTIN that is not one of ours
        *({"code": f"/p/FAKE{i:04d}", "province": "Hà Nội", "scanned_at": now} for i in range(7)),
    ])  # fmt: skip
    with demo_app.app_context():
        session = db.session()
        rows = [a for a in anomalies.anomalies(session).rows if a.kind == "unknown_code"]
        assert {(a.province, a.product_id, a.codes, a.count) for a in rows} == {
            ("Cần Thơ", None, 35, 35),
            ("Hà Nội", None, 7, 7),
        }
        [hanoi] = [
            a for a in anomalies.anomalies(session, province="Hà Nội").rows if a.kind == "unknown_code"
        ]
        assert hanoi.count == 7 and len(hanoi.examples) == 5
        assert all(code.startswith("/p/FAKE") for code in hanoi.examples)
        org = _gac_org(session)
        assert [
            a for a in anomalies.anomalies(session, organisation_id=org).rows if a.kind == "unknown_code"
        ] == []


def _gac_org(session) -> int:
    from tracer.models.products import Product

    return int(session.execute(select(Product.organisation_id).where(Product.gtin == GAC_GTIN)).scalar_one())


# -- paging ------------------------------------------------------------------------------------------------


def test_the_list_is_paged_without_repeating_or_skipping_a_row(demo_app):
    at = datetime.now(UTC) - timedelta(minutes=5)  # one time for all: ties are broken the same on every page
    _insert_unknown(demo_app, [{"code": f"/p/FAKE{i:04d}", "province": f"Tỉnh {i:03d}", "scanned_at": at}
                               for i in range(120)])  # fmt: skip
    with demo_app.app_context():
        session = db.session()
        first = anomalies.anomalies(session)
        assert first.total >= 120 and first.size == anomalies.PAGE_SIZE == 50
        assert first.pages == -(-first.total // 50) >= 3
        assert len(first.rows) == 50 and (first.previous, first.next) == (None, 2)
        second = anomalies.anomalies(session, page=2)
        assert len(second.rows) == 50 and (second.previous, second.next) == (1, 3)
        assert not {_key(a) for a in first.rows} & {_key(a) for a in second.rows}
        seen = []
        for number in range(1, first.pages + 1):
            page = anomalies.anomalies(session, page=number)
            assert page.total == first.total and len(page.rows) <= 50
            assert [a.last_at for a in page.rows] == sorted((a.last_at for a in page.rows), reverse=True)
            seen += [_key(a) for a in page.rows]
        assert len(seen) == len(set(seen)) == first.total
        beyond = anomalies.anomalies(session, page=10**6)  # past the end: the last page
        assert beyond.page == first.pages and beyond.next is None
        assert [_key(a) for a in beyond.rows] == seen[(first.pages - 1) * 50 :]
        small = anomalies.anomalies(session, page=3, size=7)
        assert [_key(a) for a in small.rows] == seen[14:21]


def test_the_dashboard_links_the_pages(demo_app, demo):
    at = datetime.now(UTC) - timedelta(minutes=5)
    _insert_unknown(demo_app, [{"code": f"/p/FAKE{i:04d}", "province": f"Tỉnh {i:03d}", "scanned_at": at}
                               for i in range(120)])  # fmt: skip
    inspector = sign_in_as(demo_app.test_client(), demo, INSPECTOR)
    with demo_app.test_request_context():
        listed = dashboard.anomalies(db.session(), dashboard.parse_filters({}, today()), threshold=50)
    assert listed.pages >= 3  # the inspector's list has the expired certificates too
    html = inspector.get("/inspector?province=&page=2").get_data(as_text=True)
    assert f"Trang 2 / {listed.pages}" in html
    assert 'rel="prev"' in html and 'rel="next"' in html
    assert re.search(
        r'href="/inspector\?page=3&amp;since=\d{4}-\d\d-\d\d&amp;until=\d{4}-\d\d-\d\d#anomalies"', html
    )
    assert _rows_shown(html) == 50
    assert "Tỉnh" in html
    last = inspector.get("/inspector?page=999999").get_data(as_text=True)
    assert 'rel="next"' not in last and 'rel="prev"' in last and 0 < _rows_shown(last) <= 50
    for bad in ("abc", "0", "-1", "1.5", "٣", "99999999999"):
        refused = inspector.get(f"/inspector?page={bad}", headers={"Accept": "application/json"})
        assert refused.status_code == 422, bad
        assert refused.get_json()["field"] == "page"
    assert inspector.get("/inspector?page=abc").status_code == 422  # the page says so, never a 500


# -- staying small -----------------------------------------------------------------------------------------


def test_ten_thousand_made_up_codes_keep_the_pages_small(demo_app, demo):
    at = datetime.now(UTC) - timedelta(minutes=5)
    padding = "X" * 270  # the longest code a scan keeps is 300 characters
    _insert_unknown(demo_app, [
        *({"code": f"{fake(i)}{padding}"[:300], "gtin": GAC_GTIN,
           "scanned_at": at + timedelta(seconds=i % 600)} for i in range(10_000)),
        *({"code": f"/p/F{i:04d}{padding}", "province": f"Tỉnh {i:03d} {padding[:80]}", "scanned_at": at}
          for i in range(300)),
    ])  # fmt: skip
    inspector = sign_in_as(demo_app.test_client(), demo, INSPECTOR)
    html = inspector.get("/inspector").get_data(as_text=True)
    assert len(html.encode()) < SMALL, len(html.encode())
    assert _rows_shown(html) == 50
    assert "10000 mã" in html  # the product's one row says how many codes
    producer = sign_in_as(demo_app.test_client(), demo, GAC_PRODUCER)
    console = producer.get("/console").get_data(as_text=True)
    assert len(console.encode()) < SMALL, len(console.encode())
    section = console[console.find('id="warnings"') :]
    assert section.count("Mã chưa từng được cấp") == 1 and "10000 mã" in section
    assert "Tỉnh 001" not in console  # codes naming none of our products are not this producer's
    csv = inspector.get("/inspector/anomalies.csv").get_data().decode("utf-8-sig")
    assert len(csv.splitlines()) < 400  # grouped: the product's row and one per province
    assert (
        sum(1 for line in csv.splitlines() if line.startswith("Mã chưa từng được cấp,,,") and "10000" in line)
        == 1
    )


# -- the limit per network prefix --------------------------------------------------------------------------


def test_one_prefix_cannot_record_more_than_its_share(demo_client, demo_app):
    cap, seconds = services(demo_app).settings.unknown_code_limit
    assert (cap, seconds) == (60, 3600)
    for i in range(200):  # 200 addresses of 198.51.100.0/24
        answer = _get(demo_client, fake(i), f"198.51.100.{i + 1}")
        assert answer.status_code == 404 and 'id="not-ours"' in answer.get_data(as_text=True)
    assert len(_unknown(demo_app)) == cap
    for i in range(200):  # 200 addresses of one IPv6 /64
        answer = _get(demo_client, fake(1000 + i), f"2001:db8:1:2::{i + 1:x}")
        assert answer.status_code == 404 and 'id="not-ours"' in answer.get_data(as_text=True)
    assert len(_unknown(demo_app)) == 2 * cap
    _get(demo_client, fake(5000), "::ffff:198.51.100.250")  # IPv4-mapped: the same /24
    _get(demo_client, fake(5001), "2001:db8:1:2:ffff:ffff:ffff:ffff")  # the same /64
    assert len(_unknown(demo_app)) == 2 * cap
    for address in ("198.51.101.1", "203.0.113.7", "2001:db8:1:3::1", "2001:db8:2::1"):  # other prefixes
        _get(demo_client, fake(6000), address)
    assert len(_unknown(demo_app)) == 2 * cap + 4
    json = demo_client.get(fake(7000), environ_base={"REMOTE_ADDR": "198.51.100.9"},
                           headers={"Accept": "application/json"})  # fmt: skip
    assert json.status_code == 404  # answered as before, only not recorded
    assert len(_unknown(demo_app)) == 2 * cap + 4


def test_genuine_scans_from_a_limited_prefix_are_still_recorded(demo_client, demo_app, gac):
    cap = services(demo_app).settings.unknown_code_limit[0]
    for i in range(cap + 5):
        _get(demo_client, fake(i), f"198.51.100.{i + 1}")
    answer = _get(demo_client, gac.path, "198.51.100.77")
    assert answer.status_code == 200 and "Dầu gấc Mỹ Cẩm" in answer.get_data(as_text=True)
    assert len(scan_rows(demo_app, serial=gac.serial)) == 1


def test_the_limit_is_set_by_the_operator(demo_database_url, tmp_path: Path):
    app = create_app(make_settings(demo_database_url, tmp_path / "instance", unknown_code_limit=(3, 60)))
    try:
        client = app.test_client()
        for i in range(10):
            assert _get(client, fake(i), f"192.0.2.{i + 1}").status_code == 404
        assert len(_unknown(app)) == 3
    finally:
        close_app(app)


def test_the_limit_holds_across_workers_sharing_redis(demo_database_url, tmp_path: Path):
    """Two apps (two gunicorn workers) on one Redis: one prefix gets its share once, not once per worker."""
    settings = make_settings(demo_database_url, tmp_path / "instance", redis_url=redis_url(),
                             secret_key=unique_secret(), unknown_code_limit=(5, 3600))  # fmt: skip
    first, second = create_app(settings), create_app(settings)
    try:
        for i in range(8):
            _get(first.test_client(), fake(i), f"198.51.100.{i + 1}")
            _get(second.test_client(), fake(100 + i), f"198.51.100.{100 + i}")
        total = 0
        for app in (first, second):
            with app.app_context():
                scans.flush()
                session = db.session()
                total = session.execute(
                    select(func.count()).select_from(scans.SCANS).where(scans.SCANS.c.outcome == "unknown")
                ).scalar_one()
        assert total == 5
    finally:
        close_app(first)
        close_app(second)


def test_a_store_that_does_not_answer_falls_back_to_a_count_in_the_process(demo_app):
    away = RateLimiter.on_redis("redis://127.0.0.1:1/0", secret="s")  # nothing listens on port 1
    unknown = UnknownCodes(away, Limit("unknown-code", 3, 3600), secret="s")
    with demo_app.app_context():
        assert [unknown.may_record("a") for _ in range(5)] == [True, True, True, False, False]
        assert unknown.may_record("b")


# -- the migration -----------------------------------------------------------------------------------------


def test_the_migration_gives_unknown_scans_already_there_their_gtin(empty_database_url):
    engine = make_engine(empty_database_url)
    codes = {
        f"/01/{GAC_GTIN}/21/FAKE1": GAC_GTIN,
        f"https://trace.example.vn/01/{GAC_GTIN}/10/L1/21/FAKE2": GAC_GTIN,
        "/01/4006381333931/21/ABC": "04006381333931",  # a GTIN-13, kept in its GTIN-14 form
        "/p/0000000000ZZ": None,
        "/01/12345/21/bad": None,  # not a code at all
    }
    try:
        schema.upgrade(engine, "0007_accounts_sessions")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO scans (serial, code, outcome, scanned_at, client_hash, user_agent_family) "
                    "VALUES (NULL, :code, 'unknown', :at, 'x', '')"
                ),
                [{"code": code, "at": "2026-11-01 08:00:00"} for code in codes],
            )
        schema.upgrade(engine)
        with engine.connect() as conn:
            found = dict(conn.execute(text("SELECT code, gtin FROM scans")).all())
        assert found == codes
    finally:
        engine.dispose()


@pytest.mark.parametrize("page", [1, 2])
def test_an_empty_list_has_one_page(demo_app, page):
    with demo_app.app_context():
        empty = anomalies.anomalies(db.session(), since=datetime.now(UTC) + timedelta(days=1), page=page)
    assert (empty.rows, empty.total, empty.page, empty.pages, empty.previous, empty.next) == (
        [],
        0,
        1,
        1,
        None,
        None,
    )


def test_the_producer_console_pages_its_warnings(demo_app, demo):
    serials = [p.serial for p in packages(demo_app, demo.lots["gac_oil"])]
    at = datetime.now(UTC) - timedelta(hours=2)
    with services(demo_app).engine.begin() as conn:  # three kinds of warning about each of its packages
        conn.execute(insert(scans.SCANS), [
            {"serial": s, "code": f"/p/{s}", "outcome": "recalled", "client_hash": "0" * 64, "scanned_at": at}
            for s in serials
        ])  # fmt: skip
        conn.execute(insert(scans.FLAGS), [
            {"serial": s, "kind": "travel", "source": "s1", "day": 1, "flagged_at": at, "detail": "900 km"}
            for s in serials
        ])  # fmt: skip
        conn.execute(insert(scans.SOURCES), [
            {"serial": s, "source": f"{c:032x}", "day": 1, "first_at": at}
            for s in serials for c in range(51)  # more networks than the threshold (50): over-scanned
        ])  # fmt: skip
    _insert_unknown(demo_app, [{"code": fake(i), "gtin": GAC_GTIN, "scanned_at": at} for i in range(300)])
    rows = 3 * len(serials) + 1
    assert rows > 50
    producer = sign_in_as(demo_app.test_client(), demo, GAC_PRODUCER)

    def warnings(page: str) -> str:
        html = producer.get(f"/console{page}").get_data(as_text=True)
        return html[html.find('id="warnings"') : html.find("</section>", html.find('id="warnings"'))]

    first = warnings("")
    assert first.count("<li>") == 50
    assert "Trang 1 / 2" in first and 'href="/console?page=2#warnings"' in first and 'rel="prev"' not in first
    second = warnings("?page=2")
    assert second.count("<li>") == rows - 50 and "Trang 2 / 2" in second and 'rel="next"' not in second
    assert (first + second).count("Mã chưa từng được cấp") == 1 and "300 mã" in first + second
    assert warnings("?page=7") == second  # past the end: the last page
    refused = producer.get("/console?page=x", headers={"Accept": "application/json"})
    assert refused.status_code == 422 and refused.get_json()["field"] == "page"


def test_the_limit_is_read_from_the_environment(tmp_path: Path):
    from config.settings import Settings, SettingsError

    base = {"TRACER_INSTANCE_PATH": str(tmp_path)}
    assert Settings.from_env(base).unknown_code_limit == (60, 3600)
    assert Settings.from_env({**base, "TRACER_UNKNOWN_CODE_LIMIT": "20/600"}).unknown_code_limit == (20, 600)
    for bad in ("60", "0/3600", "sixty/3600"):
        with pytest.raises(SettingsError, match="TRACER_UNKNOWN_CODE_LIMIT"):
            Settings.from_env({**base, "TRACER_UNKNOWN_CODE_LIMIT": bad})
