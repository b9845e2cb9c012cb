"""State that must be shared between processes and hosts (issue 20, part 6): the cache and
the sessions. ``check --deploy`` refuses what lives in one process or on one host."""

from fjc.checks import state_is_shared_between_processes

REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": ""}}
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def ids(settings) -> list[str]:
    return [str(error.id) for error in state_is_shared_between_processes()]


def test_the_database_sessions_and_the_redis_cache_are_shared(settings):
    settings.CACHES = REDIS
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    assert ids(settings) == []
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    assert ids(settings) == []


def test_a_process_local_cache_is_refused(settings):
    settings.CACHES = LOCMEM
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    assert ids(settings) == ["fjc.E003"]
    # Sessions in that cache would be lost by the next request another process serves.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    assert ids(settings) == ["fjc.E003", "fjc.E004"]


def test_sessions_on_one_hosts_disk_are_refused(settings):
    settings.CACHES = REDIS
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.file"
    assert ids(settings) == ["fjc.E004"]


def test_the_settings_keep_sessions_in_the_database_and_the_cache_in_redis_when_there_is_one():
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import django; from django.conf import settings as s; django.setup(); "
        "print(s.SESSION_ENGINE, s.CACHES['default']['BACKEND'])"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    root = Path(__file__).resolve().parent.parent
    for redis, backend in (
        ("redis://127.0.0.1:1/0", "django.core.cache.backends.redis.RedisCache"),
        ("", "django.core.cache.backends.locmem.LocMemCache"),
    ):
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=root,
            env={**env, "REDIS_URL": redis, "DJANGO_SETTINGS_MODULE": "fjc.settings"},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert result.stdout.split() == ["django.contrib.sessions.backends.db", backend]
