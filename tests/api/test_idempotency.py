"""Idempotency-Key: a retried POST replays the first response and appends nothing; a reused key with a
different body is 409; 8 concurrent clients retrying against gunicorn (2 workers) record every event once."""

from __future__ import annotations

import http.client
import json
import threading
from typing import Any
from urllib.parse import urlsplit

from tests.api.helpers import Api, day, ledger_size
from tests.support.accounts import FARMER, GAC_PRODUCER, api_token
from tests.support.live import LiveServer
from tracer.platform.db import make_engine


def _zone(name: str) -> dict[str, Any]:
    return {
        "type": "zone.register",
        "name": name,
        "commune": "Xã Mỹ Cẩm",
        "district": "Huyện Càng Long",
        "province": "Trà Vinh",
        "crop": "Gấc",
    }


def test_same_key_and_body_replays_the_first_response(api: Api) -> None:
    before = api.size()
    first = api.post(GAC_PRODUCER, "/events", _zone("Vườn A"), **{"Idempotency-Key": "k-1"})
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    again = api.post(GAC_PRODUCER, "/events", _zone("Vườn A"), **{"Idempotency-Key": "k-1"})
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert api.size() == before + 1
    names = [z["name"] for z in api.all_items(GAC_PRODUCER, "/zones")]
    assert names.count("Vườn A") == 1


def test_key_order_and_spacing_do_not_matter(api: Api) -> None:
    first = api.post(GAC_PRODUCER, "/events", _zone("Vườn B"), **{"Idempotency-Key": "k-2"})
    text = json.dumps(dict(reversed(list(_zone("Vườn B").items()))), indent=3)
    again = api.client.post(
        "/api/v1/events",
        data=text.encode(),
        headers=api.headers(GAC_PRODUCER, **{"Idempotency-Key": "k-2", "Content-Type": "application/json"}),
    )
    assert again.status_code == 201 and again.get_json() == first.get_json()


def test_same_key_different_body_is_409(api: Api) -> None:
    api.post(GAC_PRODUCER, "/events", _zone("Vườn C"), **{"Idempotency-Key": "k-3"})
    before = api.size()
    clash = api.post(GAC_PRODUCER, "/events", _zone("Vườn D"), **{"Idempotency-Key": "k-3"})
    assert clash.status_code == 409
    assert clash.mimetype == "application/problem+json"
    assert clash.get_json()["field"] == "Idempotency-Key"
    assert api.size() == before


def test_keys_belong_to_their_user(api: Api) -> None:
    before = api.size()
    assert (
        api.post(GAC_PRODUCER, "/events", _zone("Vườn E"), **{"Idempotency-Key": "shared"}).status_code == 201
    )
    assert api.post(FARMER, "/events", _zone("Vườn E"), **{"Idempotency-Key": "shared"}).status_code == 201
    assert api.size() == before + 2


def test_failed_request_is_not_remembered(api: Api) -> None:
    bad = {**_zone("Vườn F"), "crop": ""}
    assert api.post(GAC_PRODUCER, "/events", bad, **{"Idempotency-Key": "k-4"}).status_code == 422
    assert (
        api.post(GAC_PRODUCER, "/events", bad | {"crop": "Gấc"}, **{"Idempotency-Key": "k-4"}).status_code
        == 201
    )


CLIENTS, EVENTS, ATTEMPTS = 8, 4, 3


def _names(key: str, event: int) -> list[str]:
    """The zones a request registers: one, or (every other request) a batch of two."""
    return [f"Vùng {key}-a", f"Vùng {key}-b"] if event % 2 else [f"Vùng {key}"]


def _warm_up(url: str, token: str) -> None:
    """One authenticated read first: a token's first use records ``last_used_at``, a write of its own that
    SQLite refuses ("database is locked") when it races the appends (reported; see tokens.authenticate)."""
    import urllib.request

    request = urllib.request.Request(
        url + "/api/v1/zones?limit=1", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


def test_concurrent_retries_record_each_event_exactly_once(
    live_demo: LiveServer, demo_database_url: str, demo_app: Any
) -> None:
    """8 clients; client i and client i+4 share keys (twins racing), and every request is sent 3 times;
    every other request is a batch of two events."""
    token = api_token(demo_app, GAC_PRODUCER)
    _warm_up(live_demo.url, token)
    engine = make_engine(demo_database_url)
    before = ledger_size(engine)
    host = urlsplit(live_demo.url)
    statuses: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS)

    def client(number: int) -> None:
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
        start.wait()
        for event in range(EVENTS):
            key = f"zone-{number % (CLIENTS // 2)}-{event}"
            sent = [_zone(name) for name in _names(key, event)]
            body = json.dumps(sent if event % 2 else sent[0], ensure_ascii=False).encode()
            for _attempt in range(ATTEMPTS):
                try:
                    conn.request(
                        "POST",
                        "/api/v1/events",
                        body=body,
                        headers={
                            "Authorization": f"Bearer {token}",
                            "Content-Type": "application/json",
                            "Idempotency-Key": key,
                        },
                    )
                    response = conn.getresponse()
                    payload = response.read()
                except (OSError, http.client.HTTPException) as error:
                    conn.close()
                    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
                    with lock:
                        errors.append(repr(error))
                    continue
                with lock:
                    statuses.append(response.status)
                    if response.status != 201:
                        errors.append(payload.decode())
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    expected = sorted(
        name for c in range(CLIENTS // 2) for e in range(EVENTS) for name in _names(f"zone-{c}-{e}", e)
    )
    assert not errors, errors[:3]
    assert statuses == [201] * (CLIENTS * EVENTS * ATTEMPTS)
    assert ledger_size(engine) == before + len(expected)
    from sqlalchemy import text

    with engine.connect() as conn:
        names = [row[0] for row in conn.execute(text("SELECT name FROM zones WHERE name LIKE 'Vùng zone-%'"))]
        stored = conn.execute(text("SELECT count(*) FROM idempotency_keys")).scalar_one()
    engine.dispose()
    assert sorted(names) == expected
    assert stored == (CLIENTS // 2) * EVENTS
    assert day()  # dates of the demo are relative to today: still valid when this runs
