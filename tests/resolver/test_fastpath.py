"""The origin page's fast path (``tracer.resolver.fastpath``): plain GETs of a package's code answered before
Flask, with the same page and headers as Flask gives; everything else left to Flask, scans counted once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, text
from sqlmodel import select

from tests.resolver.conftest import Pkg, scan_rows
from tracer.models.scans import ScanCount, ScanTally
from tracer.platform import db
from tracer.resolver import visits
from tracer.scans import recorder as scans

VI = {"Accept-Language": "vi-VN,vi;q=0.9"}


def _flask_requests(app: Flask) -> list[str]:
    """The paths Flask dispatched from now on (its before_request hooks run only for those)."""
    seen: list[str] = []

    @app.before_request
    def _note() -> None:
        from flask import request

        seen.append(request.path)

    return seen


VISIT = {"Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate"}  # a person opening the page: counted


def _get(client: Any, path: str, address: str, **headers: str) -> Any:
    return client.get(path, environ_base={"REMOTE_ADDR": address}, headers={**VISIT, **headers})


def test_plain_scans_skip_flask_and_match_what_flask_answers(demo_app, demo_client, gac: Pkg):
    flask_seen = _flask_requests(demo_app)
    fast = [_get(demo_client, gac.path, f"10.9.0.{i}", **VI) for i in (1, 2)]
    assert flask_seen == []  # both answered before Flask (the first rendered the page in a request context)
    # ``?lang=vi`` asks for the same page, but a query string always goes through Flask's route
    slow = _get(demo_client, gac.path + "?lang=vi", "10.9.0.3", **VI)
    assert flask_seen == [gac.path]
    assert [r.status_code for r in (*fast, slow)] == [200, 200, 200]
    assert "Đã quét 2 lần" in fast[1].get_data(as_text=True)
    assert "Đã quét 3 lần" in slow.get_data(as_text=True)
    fast_html = fast[1].get_data(as_text=True).replace("Đã quét 2 lần", "Đã quét 3 lần")
    assert fast_html == slow.get_data(as_text=True)
    for name in ("Content-Type", "Content-Language", "Cache-Control", "Link", "Content-Security-Policy",
                 "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy", "Permissions-Policy",
                 "Cross-Origin-Opener-Policy", "Access-Control-Allow-Origin", "Access-Control-Expose-Headers",
                 "Vary"):  # fmt: skip
        assert fast[1].headers.get(name) == slow.headers.get(name), name
    assert int(fast[1].headers["Content-Length"]) == len(fast[1].get_data())
    assert len(scan_rows(demo_app, serial=gac.serial)) == 3


def test_english_from_accept_language_on_the_fast_path(demo_app, demo_client, gac: Pkg):
    flask_seen = _flask_requests(demo_app)
    page = _get(demo_client, gac.path, "10.9.1.1", **{"Accept-Language": "en-GB,en;q=0.9"})
    assert flask_seen == []
    assert page.headers["Content-Language"] == "en"
    assert "Scanned once, on" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("suffix", "headers", "status", "kind"),
    [
        ("?linkType=linkset", {}, 200, "application/linkset+json"),
        ("", {"Accept": "application/linkset+json"}, 200, "application/linkset+json"),
        ("?lang=en", {}, 200, "text/html"),
    ],
)
def test_other_requests_go_to_flask(demo_app, demo_client, gac: Pkg, suffix, headers, status, kind):
    flask_seen = _flask_requests(demo_app)
    response = _get(demo_client, gac.path + suffix, "10.9.2.1", **headers)
    assert flask_seen == [gac.path]
    assert response.status_code == status
    assert response.mimetype == kind


def test_head_goes_to_flask_and_is_not_counted(demo_app, demo_client, gac: Pkg):
    flask_seen = _flask_requests(demo_app)
    response = demo_client.head(gac.path, environ_base={"REMOTE_ADDR": "10.9.3.1"})
    assert response.status_code == 200 and flask_seen == [gac.path]
    assert scan_rows(demo_app, serial=gac.serial) == []


def test_unknown_and_bad_codes_are_answered_by_flask(demo_app, demo_client, gac: Pkg):
    flask_seen = _flask_requests(demo_app)
    unknown = "/01/" + gac.gtin + "/10/" + gac.lot + "/21/ZZZZZZZZZZZZ" if gac.gtin else "/p/ZZZZZZZZZZZZ"
    response = _get(demo_client, unknown, "10.9.4.1")
    assert response.status_code == 404
    assert len(scan_rows(demo_app, outcome="unknown")) == 1  # recorded once, by Flask
    bad = _get(demo_client, "/01/12345678901234/21/X", "10.9.4.2")  # wrong check digit
    assert bad.status_code == 400
    assert flask_seen == [unknown, "/01/12345678901234/21/X"]


@contextmanager
def _table_away(app: Flask, table: str) -> Iterator[None]:
    """``table`` renamed for the block: every statement that reads it fails, as with a damaged database."""

    def rename(old: str, new: str) -> None:
        with app.app_context(), db.engine().begin() as conn:
            conn.execute(text(f"ALTER TABLE {old} RENAME TO {new}"))

    rename(table, f"{table}_away")
    try:
        yield
    finally:
        rename(f"{table}_away", table)


def test_a_database_error_gets_flasks_503_not_a_traceback(demo_app, demo_client, gac: Pkg):
    with _table_away(demo_app, "scan_counts"):
        response = _get(demo_client, gac.path, "10.9.5.1", Accept="text/html")
        assert response.status_code == 503
        assert "Traceback" not in response.get_data(as_text=True)
    assert _get(demo_client, gac.path, "10.9.5.2").status_code == 200  # the reader reconnects


def test_a_checkpoint_that_cannot_be_read_gets_a_503_and_records_no_scan(demo_app, demo_client, gac: Pkg):
    with _table_away(demo_app, "ledger_checkpoints"):
        response = _get(demo_client, gac.path, "10.9.5.3", Accept="text/html")
        assert response.status_code == 503
        assert "Traceback" not in response.get_data(as_text=True)
    assert scan_rows(demo_app, serial=gac.serial) == []


def test_a_page_that_fails_after_the_scan_is_recorded_is_not_counted_twice(
    demo_app, demo_client, gac: Pkg, monkeypatch
):
    def broken(view: Any) -> visits.CachedPage:
        raise RuntimeError("template broke")

    monkeypatch.setattr(visits, "render_page", broken)  # the one renderer of both paths
    response = _get(demo_client, gac.path, "10.9.6.1")
    assert response.status_code == 500
    assert len(scan_rows(demo_app, serial=gac.serial)) == 1


def test_scan_counts_follow_the_tallies(demo_app, demo_client, gac: Pkg):
    """Counts kept by the writer equal counting the tallies: once per client and hour, across flushes."""
    for round_ in range(3):
        for i in range(4):
            _get(demo_client, gac.path, f"10.9.7.{i}")  # the same 4 clients each round: counted once
        _get(demo_client, gac.path, f"10.9.8.{round_}")  # a new client each round
        with demo_app.app_context():
            scans.flush()
    with demo_app.app_context():
        session = db.session()
        count = session.get(ScanCount, gac.serial)
        tallies = session.exec(select(func.count()).where(ScanTally.serial == gac.serial)).one()
    assert count is not None and count.scans == tallies == 7
    assert "Đã quét 7 lần" in _get(demo_client, gac.path, "10.9.7.0").get_data(as_text=True)
