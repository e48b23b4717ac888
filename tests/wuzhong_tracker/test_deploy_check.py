"""Production settings pass `manage.py check --deploy` with nothing to report, and the HTTPS protections
that a plain-HTTP deployment must turn off are each switched by their own variable."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Variables of the developer's or CI's shell that would change what is checked.
INHERITED = {
    "DEBUG", "SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "ALLOWED_HOSTS", "SITE_URL",
    "CSRF_TRUSTED_ORIGINS", "SESSION_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "PROXY_COUNT",
    "AXES_FAILURE_LIMIT", "AXES_COOLOFF_MINUTES",
}  # fmt: skip


@pytest.fixture
def production_env(tmp_path) -> dict[str, str]:
    """What a production deployment sets: DEBUG off, a long random key, its host name and HTTPS address."""
    clean = {name: value for name, value in os.environ.items() if name not in INHERITED}
    return clean | {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "duban.wuzhong.example",
        "SITE_URL": "https://duban.wuzhong.example",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=False
    )


def _check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    return _run(env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")


def test_check_deploy_is_clean_with_production_settings(production_env):
    result = _check_deploy(production_env)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stderr + result.stdout


def test_check_deploy_fails_when_a_protection_is_turned_off(production_env):
    """The check above can fail: without HSTS it reports security.W004 and exits non-zero."""
    result = _check_deploy(production_env | {"SECURE_HSTS_SECONDS": "0"})

    assert result.returncode != 0
    assert "security.W004" in result.stderr


def _settings(env: dict[str, str], *names: str) -> list[str]:
    """Each setting's repr, one a line, as the settings module computes it under `env`."""
    code = f"import wuzhong_tracker.settings as s\nfor n in {names!r}: print(repr(getattr(s, n, None)))"
    result = _run(env, "-c", code)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


SECURITY_SETTINGS = (
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_PROXY_SSL_HEADER",
)


def test_production_defaults_are_the_safe_ones(production_env):
    assert _settings(production_env, *SECURITY_SETTINGS) == ["True", "True", "True", "31536000", "None"]


def test_a_plain_http_test_server_turns_the_redirect_and_secure_cookies_off(production_env):
    plain_http = production_env | {"SECURE_SSL_REDIRECT": "false", "SESSION_COOKIE_SECURE": "false"}

    assert _settings(plain_http, *SECURITY_SETTINGS) == ["False", "False", "False", "31536000", "None"]


def test_behind_a_tls_proxy_its_forwarded_protocol_is_trusted(production_env):
    behind_proxy = production_env | {"SECURE_PROXY_SSL_HEADER": "true", "PROXY_COUNT": "1"}

    assert _settings(behind_proxy, "SECURE_PROXY_SSL_HEADER", "AXES_IPWARE_PROXY_COUNT") == [
        "('HTTP_X_FORWARDED_PROTO', 'https')",
        "1",
    ]


def test_debug_turns_the_https_protections_off_for_make_run():
    env = {name: value for name, value in os.environ.items() if name not in INHERITED} | {"DEBUG": "true"}

    assert _settings(env, *SECURITY_SETTINGS) == ["False", "False", "False", "0", "None"]
