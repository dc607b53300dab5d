"""Errors: problem+json for the API, a Vietnamese page for HTML, 413 over 1 MB, never a stack trace."""

from __future__ import annotations

import pytest


def test_api_unknown_route_is_problem_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 404
    assert body["type"].endswith("/not-found")
    assert body["title"] and body["detail"]


def test_html_unknown_route_is_a_vietnamese_page(client):
    response = client.get("/khong-co", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    text = response.get_data(as_text=True)
    assert "Không tìm thấy trang" in text
    assert "Traceback" not in text


@pytest.mark.parametrize("path", ["/api/v1/events", "/"])
def test_body_over_one_megabyte_is_413(client, path):
    response = client.post(path, data=b"x" * 1_000_001, content_type="application/json")
    assert response.status_code == 413
    if path.startswith("/api/"):
        assert response.mimetype == "application/problem+json"
        assert "1000000 bytes" in response.get_json()["detail"]


def test_unexpected_error_has_no_stack_trace(app, client):
    @app.get("/boom")
    def boom():  # pragma: no cover - exercised through the client
        raise RuntimeError("secret internals")

    response = client.get("/boom", headers={"Accept": "text/html"})
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "secret internals" not in text
    assert "Traceback" not in text
