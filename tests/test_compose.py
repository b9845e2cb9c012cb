"""docker-compose.yml is a valid Compose file and wires the stack up safely.

No database and no Docker needed: the file is checked against the Compose
specification vendored in check-jsonschema (offline), then read as YAML.
"""

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

# check-jsonschema reads YAML with ruamel.yaml (PyYAML is not installed).
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
LONG_RUNNING_SERVICES = ["db", "redis", "web", "worker", "beat"]


def load_compose() -> dict[str, Any]:
    # The safe loader resolves the `<<: *app` merge keys like docker compose does.
    return YAML(typ="safe", pure=True).load(COMPOSE_FILE.read_text(encoding="utf-8"))


def test_compose_file_follows_the_compose_specification():
    # Not resolved: the script sits next to the virtualenv's python symlink.
    check_jsonschema = Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run(
        [str(check_jsonschema), "--builtin-schema", "vendor.compose-spec", str(COMPOSE_FILE)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", LONG_RUNNING_SERVICES)
def test_long_running_service_has_a_healthcheck(name):
    service = load_compose()["services"][name]
    healthcheck = service.get("healthcheck")
    assert healthcheck, f"{name} has no healthcheck"
    assert healthcheck.get("test"), f"{name}'s healthcheck has no test"
    assert not healthcheck.get("disable", False), f"{name}'s healthcheck is disabled"


def test_web_starts_only_after_migrations_succeeded():
    services = load_compose()["services"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    # One-shot: the shared app config restarts services, the migration must not.
    assert services["migrate"]["restart"] == "no"
    depends_on = services["web"]["depends_on"]
    assert depends_on["migrate"]["condition"] == "service_completed_successfully"
    assert depends_on["redis"]["condition"] == "service_healthy"


APP_SERVICES = ["web", "worker", "beat"]
# No password in a URL: it comes from a Docker secret (DATABASE_PASSWORD_FILE).
OWNER_URL = "postgres://${POSTGRES_USER:-fjc}@db"
APP_URL = "postgres://${FJC_APP_DB_USER:-fjc_app}@db"
OWNER_PASSWORD = "/run/secrets/postgres_password"
APP_PASSWORD = "/run/secrets/app_db_password"


def test_only_migrate_connects_as_the_owner_of_the_tables():
    services = load_compose()["services"]
    migrate = services["migrate"]["environment"]
    assert migrate["DATABASE_URL"].startswith(OWNER_URL)
    assert migrate["DATABASE_PASSWORD_FILE"] == OWNER_PASSWORD
    assert "postgres_password" in services["migrate"]["secrets"]
    assert "app_db_password" not in services["migrate"]["secrets"]
    # Each migrate grants the application role its privileges again (access.database_roles).
    assert migrate["FJC_APP_DB_ROLE"] == "${FJC_APP_DB_USER:-fjc_app}"
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].startswith(APP_URL), name
        assert environment["DATABASE_PASSWORD_FILE"] == APP_PASSWORD, name
        # The owner's password is not even mounted into the application's containers.
        assert sorted(services[name]["secrets"]) == ["app_db_password", "django_secret_key"]
        # .env reaches the containers too (env_file): the owner's password is blanked.
        assert environment["POSTGRES_PASSWORD"] == "", name
        assert "FJC_APP_DB_ROLE" not in environment, name


def test_the_database_creates_the_application_role_at_initialisation():
    from access.database_roles import APP_ROLE_ATTRIBUTES

    db = load_compose()["services"]["db"]
    assert db["environment"]["FJC_APP_DB_PASSWORD_FILE"] == APP_PASSWORD
    assert db["environment"]["POSTGRES_PASSWORD_FILE"] == OWNER_PASSWORD
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in db["volumes"]}
    initdb = ROOT / mounts["/docker-entrypoint-initdb.d"]
    script = (initdb / "10-app-role.sh").read_text(encoding="utf-8")
    # The attributes the test role of tests/test_database_roles.py is made with, too.
    assert f'CREATE ROLE :"app_role" {APP_ROLE_ATTRIBUTES} PASSWORD' in script
    assert (initdb / "10-app-role.sh").stat().st_mode & 0o111
    # It reads the password from the secret's file.
    assert 'FJC_APP_DB_PASSWORD="$(cat "$FJC_APP_DB_PASSWORD_FILE")"' in script


def test_env_example_holds_no_secret_and_names_the_secret_files():
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for name in ("DJANGO_SECRET_KEY", "POSTGRES_PASSWORD", "FJC_APP_DB_PASSWORD"):
        assert f"\n{name}=" not in example, name
    for name in load_compose()["secrets"]:
        assert f"secrets/{name}" in example, name


def test_web_healthcheck_asks_liveness_not_readiness():
    """/health/ answers 503 when the worker or Redis is down; the web container itself is
    fine then, so its healthcheck asks /health/live/ (fjc.views.health_live)."""
    test = "\n".join(load_compose()["services"]["web"]["healthcheck"]["test"])
    assert "/health/live/" in test


ALL_SERVICES = [*LONG_RUNNING_SERVICES, "migrate", "backup"]
SECRET_NAMES = ("PASSWORD", "SECRET", "KEY", "TOKEN")


@pytest.mark.parametrize("name", ALL_SERVICES)
def test_every_service_rotates_its_log_and_has_a_memory_limit(name):
    service = load_compose()["services"][name]
    assert service["logging"]["driver"] == "json-file", name
    assert service["logging"]["options"]["max-size"], name
    assert int(service["logging"]["options"]["max-file"]) >= 2, name
    limit = service["deploy"]["resources"]["limits"]["memory"]
    assert limit[-1] in "mg" and int(limit[:-1]) > 0, name


@pytest.mark.parametrize("name", ALL_SERVICES)
def test_no_service_holds_a_secret_value_in_its_environment(name):
    compose = load_compose()
    service = compose["services"][name]
    for key, value in service.get("environment", {}).items():
        value = str(value)
        if key.endswith("_FILE"):
            assert value.startswith("/run/secrets/"), (name, key)
            assert value.removeprefix("/run/secrets/") in service["secrets"], (name, key)
        elif any(word in key for word in SECRET_NAMES):
            # Only blanks, which hide what an older .env may still hold.
            assert value == "", (name, key)
        # No password in any connection string (user:password@, interpolated or not).
        plain = re.sub(r"\$\{[^}]*\}", "VARIABLE", value)
        assert not re.search(r"://[^/@]*:[^/@]*@", plain), (name, key)
    for secret in service.get("secrets", []):
        assert compose["secrets"][secret]["file"].startswith("${FJC_SECRETS_DIR:-./secrets}/")


def test_exactly_one_beat():
    beat = load_compose()["services"]["beat"]
    assert beat["deploy"]["replicas"] == 1
    assert "container_name" not in beat


def test_the_backup_service_is_run_by_hand_as_the_owner():
    backup = load_compose()["services"]["backup"]
    assert backup["profiles"] == ["ops"]
    assert backup["restart"] == "no"
    assert backup["command"] == ["scripts/backup.sh"]
    assert backup["environment"]["DATABASE_URL"].startswith(OWNER_URL)
    assert backup["environment"]["FJC_APP_DB_ROLE"] == "${FJC_APP_DB_USER:-fjc_app}"
    assert "private-media:/app/var/private" in backup["volumes"]
    assert (ROOT / "scripts" / "backup.sh").stat().st_mode & 0o111
    assert (ROOT / "scripts" / "restore.sh").stat().st_mode & 0o111


def test_the_image_has_the_postgresql_client_of_the_database_service():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "postgresql-client" in dockerfile
    # Debian bookworm's client is 15: pg_dump must not be older than the server.
    assert "slim-bookworm AS runtime" in dockerfile
    assert load_compose()["services"]["db"]["image"] == "postgres:15"
