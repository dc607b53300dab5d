"""Security headers on every response: CSP without inline scripts, HSTS behind TLS, no framing, no sniffing.

Map tiles come from OpenStreetMap when the visitor is online; everything else is served by us. Styles may be
set inline (Leaflet positions tiles that way); scripts may not.
"""

from __future__ import annotations

from flask import Flask, Response

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob: https://tile.openstreetmap.org https://*.tile.openstreetmap.org",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def headers(*, behind_tls: bool) -> tuple[tuple[str, str], ...]:
    """The security headers of every response (the app's hook and the origin pages' fast path)."""
    common = (
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Permissions-Policy", "camera=(self), geolocation=(self), microphone=()"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    )
    hsts = (("Strict-Transport-Security", "max-age=63072000; includeSubDomains"),)
    return common + hsts if behind_tls else common


def init_app(app: Flask, *, behind_tls: bool) -> None:
    wanted = headers(behind_tls=behind_tls)

    @app.after_request
    def _headers(response: Response) -> Response:
        present = response.headers
        for name, value in wanted:
            present.setdefault(name, value)
        return response
