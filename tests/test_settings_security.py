"""Production settings pass check --deploy; every response carries a strict CSP."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


def _production_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return env | {
        "DJANGO_SETTINGS_MODULE": "fjc.settings_production",
        "DJANGO_SECRET_KEY": "x7!kq2-" + "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6q7r8s9t0u1v2w3",
        "DJANGO_ALLOWED_HOSTS": "fjc.example.org",
    }


def test_production_settings_pass_check_deploy():
    env = _production_env()
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    env |= {
        "DJANGO_SETTINGS_MODULE": "fjc.settings_production",
        "DJANGO_ALLOWED_HOSTS": "fjc.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_reads_the_secret_key_and_database_password_from_files(tmp_path):
    """Docker secrets (docker-compose.yml): the values live in files, not in the environment."""
    (tmp_path / "key").write_text("k" * 60 + "\n", encoding="utf-8")
    (tmp_path / "password").write_text("p@ss:w/rd#1\n", encoding="utf-8")
    env = {k: v for k, v in _production_env().items() if k != "DJANGO_SECRET_KEY"}
    env |= {
        "DJANGO_SECRET_KEY_FILE": str(tmp_path / "key"),
        "DATABASE_URL": "postgres://fjc_app@db:5432/fjc",
        "DATABASE_PASSWORD_FILE": str(tmp_path / "password"),
    }
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SECRET_KEY, s.DATABASES['default']['PASSWORD']]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["k" * 60, "p@ss:w/rd#1"]

    env["DJANGO_SECRET_KEY_FILE"] = str(tmp_path / "missing")
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY_FILE" in result.stderr


def test_production_hashes_with_argon2_and_guards_the_session():
    names = [
        "PASSWORD_HASHERS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_AGE",
        "FJC_SESSION_RENEW_SECONDS",
        "DEBUG",
        "MIDDLEWARE",
    ]
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    prod = json.loads(result.stdout)
    assert prod["PASSWORD_HASHERS"][0].endswith("Argon2PasswordHasher")
    assert prod["SESSION_COOKIE_SECURE"] and prod["CSRF_COOKIE_SECURE"]
    assert prod["SESSION_COOKIE_HTTPONLY"]
    assert prod["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert prod["SECURE_HSTS_SECONDS"] >= 31536000
    assert prod["DEBUG"] is False
    # Idle timeout: the session's expiry slides with the requests (written at most once a
    # minute, fjc.middleware.SessionRenewalMiddleware) and it ends after an idle hour at most.
    assert prod["SESSION_COOKIE_AGE"] <= 60 * 60 and prod["FJC_SESSION_RENEW_SECONDS"] <= 60
    middleware = prod["MIDDLEWARE"]
    sessions = middleware.index("django.contrib.sessions.middleware.SessionMiddleware")
    assert middleware[sessions + 1] == "fjc.middleware.SessionRenewalMiddleware"
    assert "django.contrib.auth.middleware.LoginRequiredMiddleware" in prod["MIDDLEWARE"]
    assert "django.middleware.csp.ContentSecurityPolicyMiddleware" in prod["MIDDLEWARE"]


@pytest.mark.django_db
def test_every_page_has_a_strict_content_security_policy(client):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in csp
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_pages_load_nothing_from_other_origins(world, client):
    client.force_login(world.users["director_city_a"])
    for url in [
        reverse("home"),
        reverse("cases:list"),
        reverse("cases:detail", kwargs={"pk": world.cases["city_a"].pk}),
    ]:
        # The SVG namespace is a name, not a resource that is loaded.
        html = client.get(url).content.decode().replace('xmlns="http://www.w3.org/2000/svg"', "")
        assert "http://" not in html and "https://" not in html and "//cdn" not in html
        assert "<script>" not in html and " style=" not in html and "<style" not in html


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_the_login_page(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def _production_setting(name: str, extra: dict[str, str]) -> object:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps(s.{name}))"
    )
    env = {k: v for k, v in _production_env().items() if k != "FJC_BEHIND_TLS_PROXY"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env | extra,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_forwarded_proto_is_trusted_only_behind_a_configured_proxy():
    """Issue 13: without a proxy that sets it, X-Forwarded-Proto is the client's claim."""
    header = "SECURE_PROXY_SSL_HEADER"
    assert _production_setting(header, {}) is None
    assert _production_setting(header, {"FJC_BEHIND_TLS_PROXY": "false"}) is None
    trusted = _production_setting(header, {"FJC_BEHIND_TLS_PROXY": "true"})
    assert trusted == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_a_forged_forwarded_proto_does_not_make_a_request_secure(rf, settings):
    settings.SECURE_PROXY_SSL_HEADER = None
    request = rf.get("/", HTTP_X_FORWARDED_PROTO="https")
    assert not request.is_secure()
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert request.is_secure()


@pytest.mark.parametrize(
    ("variable", "value"), [("FJC_LOGIN_FAILURE_LIMIT", "31"), ("FJC_LOGIN_COOLOFF_MINUTES", "0")]
)
def test_a_login_lockout_too_lax_stops_start_up(variable, value):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "FJC_"))}
    env |= {variable: value, "DJANGO_SETTINGS_MODULE": "fjc.settings"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert variable in result.stderr
