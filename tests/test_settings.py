"""Settings: read once from TRACER_* variables, safe development defaults, clear errors."""

from __future__ import annotations

import base64
import stat

import pytest

from config.settings import Settings, SettingsError


def test_development_defaults_live_under_instance(tmp_path):
    settings = Settings.from_env({"TRACER_INSTANCE_PATH": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'tracer.platform.db'}"
    assert len(settings.master_key) == 32
    assert settings.log_origin == "127.0.0.1:8000/ocop-log"
    for name in ("secret_key", "master_key"):
        mode = (tmp_path / name).stat().st_mode
        assert stat.S_IMODE(mode) == 0o600
    again = Settings.from_env({"TRACER_INSTANCE_PATH": str(tmp_path)})
    assert again.master_key == settings.master_key and again.secret_key == settings.secret_key


def test_environment_wins(tmp_path):
    key = base64.urlsafe_b64encode(b"k" * 32).decode().rstrip("=")
    settings = Settings.from_env(
        {
            "TRACER_INSTANCE_PATH": str(tmp_path),
            "TRACER_DATABASE_URL": "postgresql+psycopg://u@db/tracer",
            "TRACER_MASTER_KEY": key,
            "TRACER_SECRET_KEY": "s3cret",
            "TRACER_PUBLIC_URL": "https://trace.example.vn/",
            "TRACER_LOG_ORIGIN": "trace.example.vn/ocop-log",
        }
    )
    assert settings.master_key == b"k" * 32
    assert settings.public_url == "https://trace.example.vn"
    assert settings.behind_tls
    assert "master_key" not in repr(settings) or "kkkk" not in repr(settings)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TRACER_MASTER_KEY": "c2hvcnQ"}, "32 bytes"),
        ({"TRACER_MASTER_KEY": "!!!"}, "TRACER_MASTER_KEY"),
        ({"TRACER_PUBLIC_URL": "ftp://x"}, "TRACER_PUBLIC_URL"),
        ({"TRACER_MAX_REQUEST_BYTES": "lots"}, "TRACER_MAX_REQUEST_BYTES"),
        ({"TRACER_TOKEN_LIMIT": "600"}, "TRACER_TOKEN_LIMIT must be COUNT/SECONDS"),
        ({"TRACER_TOKEN_LIMIT": "0/60"}, "TRACER_TOKEN_LIMIT"),
        ({"TRACER_LOGIN_LIMIT": "ten/60"}, "TRACER_LOGIN_LIMIT"),
        ({"TRACER_LOGIN_LIMIT": "10/-1"}, "TRACER_LOGIN_LIMIT"),
    ],
)
def test_bad_values_name_the_variable(tmp_path, env, message):
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({"TRACER_INSTANCE_PATH": str(tmp_path), **env})


def test_rate_limits_are_count_per_seconds(tmp_path):
    base = {"TRACER_INSTANCE_PATH": str(tmp_path)}
    assert Settings.from_env(base).token_limit == (600, 60)
    assert Settings.from_env(base).login_limit == (10, 60)
    tuned = Settings.from_env({**base, "TRACER_TOKEN_LIMIT": "1200/60", "TRACER_LOGIN_LIMIT": " 5/300 "})
    assert tuned.token_limit == (1200, 60) and tuned.login_limit == (5, 300)
