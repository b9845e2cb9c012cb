"""docker-compose.yml is a valid Compose file and wires the stack up safely.

No database and no Docker needed: the file is checked against the Compose
specification vendored in check-jsonschema (offline), then read as YAML.
"""

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
OWNER_URL = "postgres://${POSTGRES_USER:-fjc}:${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}@db"
APP_URL = (
    "postgres://${FJC_APP_DB_USER:-fjc_app}:${FJC_APP_DB_PASSWORD:?set FJC_APP_DB_PASSWORD}@db"
)


def test_only_migrate_connects_as_the_owner_of_the_tables():
    services = load_compose()["services"]
    migrate = services["migrate"]["environment"]
    assert migrate["DATABASE_URL"].startswith(OWNER_URL)
    # Each migrate grants the application role its privileges again (access.database_roles).
    assert migrate["FJC_APP_DB_ROLE"] == "${FJC_APP_DB_USER:-fjc_app}"
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].startswith(APP_URL), name
        assert "POSTGRES_PASSWORD" not in environment["DATABASE_URL"], name
        # .env reaches the containers too (env_file): the owner's password is blanked.
        assert environment["POSTGRES_PASSWORD"] == "", name
        assert "FJC_APP_DB_ROLE" not in environment, name


def test_the_database_creates_the_application_role_at_initialisation():
    from access.database_roles import APP_ROLE_ATTRIBUTES

    db = load_compose()["services"]["db"]
    assert (
        db["environment"]["FJC_APP_DB_PASSWORD"]
        == "${FJC_APP_DB_PASSWORD:?set FJC_APP_DB_PASSWORD}"
    )
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in db["volumes"]}
    initdb = ROOT / mounts["/docker-entrypoint-initdb.d"]
    script = (initdb / "10-app-role.sh").read_text(encoding="utf-8")
    # The attributes the test role of tests/test_database_roles.py is made with, too.
    assert f'CREATE ROLE :"app_role" {APP_ROLE_ATTRIBUTES} PASSWORD' in script
    assert (initdb / "10-app-role.sh").stat().st_mode & 0o111


def test_env_example_names_both_database_roles():
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert "\nPOSTGRES_PASSWORD=" in example
    assert "\nFJC_APP_DB_PASSWORD=" in example


def test_web_healthcheck_asks_liveness_not_readiness():
    """/health/ answers 503 when the worker or Redis is down; the web container itself is
    fine then, so its healthcheck asks /health/live/ (fjc.views.health_live)."""
    test = "\n".join(load_compose()["services"]["web"]["healthcheck"]["test"])
    assert "/health/live/" in test
