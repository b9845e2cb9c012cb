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
