"""The copy signal (issue #18): a few clients cannot make a genuine package look copied, and no scan statistic
ever changes a verdict. Each attack the issue reproduced is tried here, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import close_app, make_settings
from tests.resolver.conftest import scan_rows
from tests.scanner.conftest import log_key
from tests.support.accounts import INSPECTOR, actor, open_session
from tracer import create_app
from tracer.events import commands as c
from tracer.events.dispatch import record
from tracer.platform import db
from tracer.proofs.verdict import verify_package_bundle
from tracer.scans import anomalies, signal, sources
from tracer.scans import recorder as scans

INSERT = text("INSERT INTO scan_sources (serial, source, day, first_at) VALUES (:s, :src, :d, :at)")
WARNING = "Mã này có thể đã bị sao chép"
VISIT = {"Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Site": "none"}
TRA_VINH = {"latitude": 9.93, "longitude": 106.34}
HA_NOI = {"latitude": 21.03, "longitude": 105.85}


@pytest.fixture
def app(demo_database_url, tmp_path: Path):
    """The demo with a low threshold: more than 3 networks in 30 days, or 2 networks in each of two places."""
    settings = make_settings(
        demo_database_url, tmp_path / "instance", scan_warning_threshold=3, copy_sources=2
    )
    application = create_app(settings)
    yield application
    with application.app_context():
        scans.flush()
    close_app(application)


def visit(client, path, address, headers=VISIT):
    return client.get(path, environ_base={"REMOTE_ADDR": address}, headers=headers)


def page(app, client, path, address="192.0.2.200"):
    """The page as a new visitor sees it, after every queued scan was written."""
    with app.app_context():
        scans.flush()
    return visit(client, path, address).get_data(as_text=True)


def share(client, serial, address, place):
    answer = client.post(f"/p/{serial}/location", json=place, environ_base={"REMOTE_ADDR": address})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()["copied"]


def bundle_verdict(app, client, serial):
    bundle = client.get(f"/api/v1/packages/{serial}/proof").get_json()
    return bundle, verify_package_bundle(bundle, log_key(app))


# -- what counts ---------------------------------------------------------------------------------------------


def test_prefixes_and_visits():
    assert sources.network_prefix("203.0.113.77") == "203.0.113.0/24"
    assert sources.network_prefix("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert sources.network_prefix("::ffff:203.0.113.9") == "203.0.113.0/24"
    assert sources.network_prefix("") == sources.network_prefix("not an address") == "unknown"
    assert sources.source_of("k", "203.0.113.1") == sources.source_of("k", "203.0.113.254")
    assert sources.source_of("k", "203.0.113.1") != sources.source_of("k", "203.0.114.1")
    assert sources.source_of("k", "203.0.113.1") != sources.source_of("other key", "203.0.113.1")
    assert sources.is_visit({"Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate"})
    assert not sources.is_visit({"Sec-Fetch-Dest": "image", "Sec-Fetch-Mode": "no-cors"})
    assert not sources.is_visit({"Sec-Fetch-Dest": "iframe", "Sec-Fetch-Mode": "navigate"})
    assert not sources.is_visit({"Sec-Fetch-Dest": "empty", "Sec-Fetch-Mode": "cors", "Accept": "text/html"})
    assert sources.is_visit({"Accept": "text/html,application/xhtml+xml"})  # no Fetch Metadata: old browser
    assert not sources.is_visit({"Accept": "image/avif,image/webp,*/*"})
    assert not sources.is_visit({})


def test_ten_addresses_in_one_prefix_are_one_network(app, gac):
    client = app.test_client()
    for i in range(10):
        visit(client, gac.path, f"198.51.100.{i + 1}")
    for i in range(10):
        visit(client, gac.path, f"2001:db8:aa:bb:{i:x}::1")
    html = page(app, client, gac.path, "198.51.100.200")
    assert WARNING not in html
    with app.app_context():
        copy = signal.copy_signal(db.session().connection(), gac.serial)
    assert copy.sources == 2  # one IPv4 /24 and one IPv6 /64, whatever the number of addresses
    bundle, verdict = bundle_verdict(app, client, gac.serial)
    assert bundle["scans"]["copy_warning"] is False and verdict.status == "genuine"


def test_embedded_images_and_proof_fetches_never_count(app, gac):
    """``<img src=".../21/SERIAL">`` on a busy page, and proof fetches from 51 networks: recorded, never
    counted."""
    client = app.test_client()
    image = {"Sec-Fetch-Dest": "image", "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Site": "cross-site"}
    for i in range(20):
        assert visit(client, gac.path, f"10.{i}.0.1", headers=image).status_code == 200
    for i in range(51):
        proof = client.get(
            f"/api/v1/packages/{gac.serial}/proof", environ_base={"REMOTE_ADDR": f"10.{i}.1.1"}
        )
        assert proof.status_code == 200
    html = page(app, client, gac.path)
    assert WARNING not in html
    assert "Đã quét 1 lần" in html  # only this visit counts
    assert len(scan_rows(app, serial=gac.serial)) == 20 + 51 + 1  # every resolution is still recorded
    bundle, verdict = bundle_verdict(app, client, gac.serial)
    assert bundle["scans"]["copy_warning"] is False and verdict.status == "genuine"


def test_many_networks_raise_the_warning_as_unsigned_advice(app, gac):
    client = app.test_client()
    for i in range(4):
        visit(client, gac.path, f"203.0.{i}.9")
    html = page(app, client, gac.path, "203.0.0.10")  # a network already counted
    assert WARNING in html and "không được ký" in html
    bundle, verdict = bundle_verdict(app, client, gac.serial)
    assert bundle["scans"]["signed"] is False and bundle["scans"]["copy_warning"] is True
    assert verdict.status == "genuine"  # the signed verdict does not move
    assert verdict.advice and all(a.startswith("unsigned copy warning") for a in verdict.advice)
    with app.app_context():
        over = [a for a in anomalies.anomalies(db.session()).rows if a.kind == "over_scanned"]
    assert [(a.serial, a.count) for a in over] == [(gac.serial, 4)]


# -- two places at once --------------------------------------------------------------------------------------


def test_one_or_two_far_clients_cannot_raise_it(app, gac):
    """The issue's attack: two addresses post far-apart places. Now each place needs two networks."""
    client = app.test_client()
    for address, place in (("10.40.0.1", TRA_VINH), ("10.41.0.1", HA_NOI), ("10.41.0.2", HA_NOI)):
        visit(client, gac.path, address)
        with app.app_context():
            scans.flush()
        assert share(client, gac.serial, address, place) is False  # 10.41.0.x is one network
    assert WARNING not in page(app, client, gac.path)


def test_two_places_each_seen_by_several_networks(app, gac):
    client = app.test_client()
    for address, place in (("10.50.0.1", TRA_VINH), ("10.51.0.1", TRA_VINH), ("10.52.0.1", HA_NOI)):
        visit(client, gac.path, address)
        with app.app_context():
            scans.flush()
        assert share(client, gac.serial, address, place) is False
    visit(client, gac.path, "10.53.0.1")
    with app.app_context():
        scans.flush()
    assert share(client, gac.serial, "10.53.0.1", HA_NOI) is True
    html = page(app, client, gac.path)
    assert WARNING in html and "nơi quá xa nhau" in html
    bundle, verdict = bundle_verdict(app, client, gac.serial)
    assert verdict.status == "genuine" and any("far apart" in a for a in verdict.advice)
    with app.app_context():
        [travel] = [a for a in anomalies.anomalies(db.session()).rows if a.kind == "travel"]
    assert travel.serial == gac.serial and travel.count == 4 and "km" in travel.detail


def test_a_place_only_from_a_page_visit(app, gac):
    client = app.test_client()
    image = {"Sec-Fetch-Dest": "image", "Sec-Fetch-Mode": "no-cors"}
    visit(client, gac.path, "10.60.0.1", headers=image)
    with app.app_context():
        scans.flush()
    answer = client.post(
        f"/p/{gac.serial}/location",
        json=TRA_VINH,
        environ_base={"REMOTE_ADDR": "10.60.0.1"},
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 422 and answer.get_json()["field"] == "serial"


# -- review, expiry, and someone who controls the database ------------------------------------------------


def _inspect(app, serial, result):
    inspector = actor(app, INSPECTOR)
    command = c.Inspect(serial=serial, result=result, place="Chợ Trà Vinh", province="Vĩnh Long")
    with app.app_context(), db.writer() as session:
        record(session=session, actor=inspector, command=command)


def test_a_signed_inspection_clears_it_and_new_evidence_raises_it_again(app, gac):
    client = app.test_client()
    for i in range(4):
        visit(client, gac.path, f"203.1.{i}.9")
    assert WARNING in page(app, client, gac.path, "203.1.0.10")
    _inspect(app, gac.serial, "suspect")  # not a clearance
    assert WARNING in page(app, client, gac.path, "203.1.0.10")
    _inspect(app, gac.serial, "pass")
    html = page(app, client, gac.path, "203.1.0.10")
    assert WARNING not in html and 'id="reviewed"' in html
    inspector = app.test_client()
    open_session(app, inspector, actor(app, INSPECTOR).user_id)
    dashboard = inspector.get("/inspector").get_data(as_text=True)
    assert 'id="clear-hint"' in dashboard and "kết quả Đạt" in dashboard
    bundle, _ = bundle_verdict(app, client, gac.serial)
    assert bundle["scans"]["copy_warning"] is False and bundle["scans"]["reviewed_at"]
    # The review clears what came before it; the same day's networks are not counted again (first_at of the
    # day is before the review), new ones are.
    for i in range(4):
        visit(client, gac.path, f"203.2.{i}.9")
    assert WARNING in page(app, client, gac.path, "203.2.0.10")


def test_old_signals_expire(app, gac):
    long_ago = datetime.now(UTC) - timedelta(days=signal.WINDOW_DAYS + 1)
    with app.app_context(), db.writer() as session:
        for i in range(10):
            session.execute(
                INSERT,
                {"s": gac.serial, "src": f"old{i}", "d": signal.day_of(long_ago), "at": long_ago},
            )
    client = app.test_client()
    assert WARNING not in page(app, client, gac.path)
    with app.app_context():
        scans.flush()
        assert signal.copy_signal(db.session().connection(), gac.serial).sources == 1  # this visit only


def test_editing_the_scan_tables_never_changes_a_verdict(app, gac, sausage):
    """Someone who controls the database can write any statistic: the page's advice moves, the verdict that
    the verifiers compute from signed entries does not (genuine stays genuine, recalled stays recalled)."""
    now = datetime.now(UTC)
    with app.app_context(), db.writer() as session:
        for serial in (gac.serial, sausage.serial):
            for i in range(10):
                session.execute(
                    INSERT,
                    {"s": serial, "src": f"forged{i}", "d": signal.day_of(now), "at": now},
                )
    client = app.test_client()
    bundle, verdict = bundle_verdict(app, client, gac.serial)
    assert bundle["scans"]["copy_warning"] is True
    assert verdict.status == "genuine" and verdict.advice
    bundle["scans"] = {"copy_warning": False, "count": 0}  # and hiding a warning hides no signed fact
    assert verify_package_bundle(bundle, log_key(app)).status == "genuine"
    _, verdict = bundle_verdict(app, client, sausage.serial)
    assert verdict.status == "recalled"


def test_the_location_route_refuses_junk(app, gac):
    client = app.test_client()
    visit(client, gac.path, "10.70.0.1")
    with app.app_context():
        scans.flush()
    for bad in ({"latitude": 91, "longitude": 0}, {"latitude": "1e999", "longitude": 0},
                {"latitude": "NaN", "longitude": 0}, {"latitude": 10, "longitude": "\x00"}):  # fmt: skip
        answer = client.post(
            f"/p/{gac.serial}/location",
            json=bad,
            environ_base={"REMOTE_ADDR": "10.70.0.1"},
            headers={"Accept": "application/json"},
        )
        assert answer.status_code in (400, 422), (bad, answer.status_code)
        assert answer.mimetype == "application/problem+json"


def test_a_flood_of_networks_is_counted_only_up_to_the_cap(app, gac):
    """Every scan of the package counts its sources: a /48 (65,536 /64s) must not make each page view read
    them all. Past SOURCE_CAP the count stops; the warning is long since on."""
    now = datetime.now(UTC)
    rows = [{"s": gac.serial, "src": f"flood{i}", "d": signal.day_of(now), "at": now}
            for i in range(signal.SOURCE_CAP + 200)]  # fmt: skip
    with app.app_context(), db.writer() as session:
        session.execute(INSERT, rows)
    with app.app_context():
        assert signal.copy_signal(db.session().connection(), gac.serial).sources == signal.SOURCE_CAP
    assert WARNING in page(app, app.test_client(), gac.path)
