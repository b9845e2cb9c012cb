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
# The "scale" profile (README, "Scaling out"): started only with --profile scale.
SCALE_LONG_RUNNING = ["web-2", "worker-reports", "worker-notifications", "proxy", "minio"]
SCALE_SERVICES = [*SCALE_LONG_RUNNING, "bucket"]


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


@pytest.mark.parametrize("name", [*LONG_RUNNING_SERVICES, *SCALE_LONG_RUNNING])
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
        # The owner's password is not even mounted into the application's containers; the
        # bucket's keys only into those that read or write private files.
        expected = ["app_db_password", "django_secret_key"]
        if name != "beat":
            expected += ["s3_access_key", "s3_secret_key"]
        assert sorted(services[name]["secrets"]) == expected, name
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


ALL_SERVICES = [*LONG_RUNNING_SERVICES, "migrate", "backup", *SCALE_SERVICES]
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
    # And the bucket, when the private files are there, with the application's settings.
    files = load_compose()["services"]["web"]["environment"]
    for key in ("FJC_S3_BUCKET", "FJC_S3_ENDPOINT_URL", "FJC_S3_REGION"):
        assert backup["environment"][key] == files[key], key
    for key in ("FJC_S3_ACCESS_KEY_FILE", "FJC_S3_SECRET_KEY_FILE"):
        assert backup["environment"][key] == files[key], key
        assert files[key].removeprefix("/run/secrets/") in backup["secrets"], key
    assert (ROOT / "scripts" / "backup.sh").stat().st_mode & 0o111
    assert (ROOT / "scripts" / "restore.sh").stat().st_mode & 0o111


def test_the_image_has_the_postgresql_client_of_the_database_service():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "postgresql-client" in dockerfile
    # Debian bookworm's client is 15: pg_dump must not be older than the server.
    assert "slim-bookworm AS runtime" in dockerfile
    assert load_compose()["services"]["db"]["image"] == "postgres:15"


FILE_SERVICES = ["web", "worker", "web-2", "worker-reports", "worker-notifications", "bucket"]


def test_without_a_profile_compose_starts_the_single_host_stack_only():
    services = load_compose()["services"]
    unprofiled = {name for name, service in services.items() if not service.get("profiles")}
    assert unprofiled == {"db", "redis", "migrate", "web", "worker", "beat"}
    for name in SCALE_SERVICES:
        assert services[name]["profiles"] == ["scale"], name


@pytest.mark.parametrize("name", FILE_SERVICES)
def test_every_service_that_touches_private_files_shares_one_storage(name):
    """Files written by a worker are read by every web replica: all of them get the same
    bucket settings (README, "Scaling out") and the bucket's keys as Docker secrets."""
    service = load_compose()["services"][name]
    environment = service["environment"]
    assert environment["FJC_S3_BUCKET"] == "${FJC_S3_BUCKET:-}"
    assert environment["FJC_S3_ENDPOINT_URL"] == "${FJC_S3_ENDPOINT_URL:-}"
    assert environment["FJC_S3_ACCESS_KEY_FILE"] == "/run/secrets/s3_access_key"
    assert environment["FJC_S3_SECRET_KEY_FILE"] == "/run/secrets/s3_secret_key"
    assert environment["DATABASE_REPLICA_URL"] == "${DATABASE_REPLICA_URL:-}"
    assert environment["DJANGO_SETTINGS_MODULE"] == "fjc.settings_production"


def test_the_scale_profile_puts_two_web_replicas_behind_the_proxy():
    services = load_compose()["services"]
    web, web_2, proxy = services["web"], services["web-2"], services["proxy"]
    # The same application, configuration and health check; only the proxy is published.
    for key in ("command", "environment", "secrets", "healthcheck", "image"):
        assert web_2[key] == web[key], key
    assert web_2["ports"] == []
    assert proxy["image"].startswith("nginx:")
    assert proxy["ports"] == ["${FJC_PROXY_BIND:-127.0.0.1}:${FJC_PROXY_PORT:-8080}:8080"]
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"
    assert proxy["depends_on"]["web-2"]["condition"] == "service_healthy"
    source, target, mode = proxy["volumes"][0].split(":")
    assert (target, mode) == ("/etc/nginx/conf.d/default.conf", "ro")
    config = (ROOT / source).read_text(encoding="utf-8")
    upstream = re.search(r"upstream fjc_web \{(.*?)\}", config, re.S)
    assert upstream is not None
    assert re.findall(r"server ([\w-]+):8000", upstream.group(1)) == ["web", "web-2"]
    assert "proxy_pass http://fjc_web;" in config
    # Uploads of the allowed size pass (FJC_DOCUMENT_MAX_MB, 20 by default).
    body_size = re.search(r"client_max_body_size (\d+)m;", config)
    assert body_size is not None and int(body_size.group(1)) >= 20


def test_the_bucket_is_never_published_and_is_made_before_the_scaled_services_start():
    services = load_compose()["services"]
    minio = services["minio"]
    assert "ports" not in minio
    assert minio["environment"]["MINIO_ROOT_USER_FILE"] == "/run/secrets/s3_access_key"
    bucket = services["bucket"]
    assert bucket["command"] == ["python", "manage.py", "private_bucket"]
    assert bucket["restart"] == "no"
    assert bucket["depends_on"]["minio"]["condition"] == "service_healthy"
    for name in ("web-2", "worker-reports", "worker-notifications"):
        depends_on = services[name]["depends_on"]
        assert depends_on["bucket"]["condition"] == "service_completed_successfully", name
        assert depends_on["bucket"].get("required", True) is True, name
    # Without the profile there is no bucket service: web and worker do not require it.
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["bucket"]["required"] is False, name
