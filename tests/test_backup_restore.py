"""Backups you have tried (issue 15, item 6).

scripts/backup.sh backs up this worker's test database, with the committed shared world, and a
folder of private files; scripts/restore.sh restores them into a database created here and an
empty folder: every table (row count and a digest of its rows), every sequence and every file
must come back equal, and the application role must have its privileges (the narrow ones on
the append-only tables). A backup whose dump or archive was altered is refused before anything
is written. These are the README's restore drill, run as subprocesses like an operator would:
pg_dump in its own session sees only committed rows, which is why the world (committed once per
worker) is what is backed up.
"""

import glob
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from access.database_roles import APP_ROLE_ATTRIBUTES, quote_ident

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
# Uploaded file names may carry a person's name: the manifest must not.
PRIVATE_FILES = {
    "legal-bases/2024/Toestemming Jan Peeters.pdf": b"%PDF-1.4 signed consent\n",
    "reports/2024/jaarrapport.pdf": b"%PDF-1.4 annual report\n" * 100,
    "agreements/2023/samenwerking-élan.pdf": b"",
}


def _pg_bin() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[4]))
    return os.environ.get("PG_BIN") or (found[-1] if found else "")


def _params(dbname: str) -> dict[str, Any]:
    settings = connection.settings_dict
    return {
        "host": settings["HOST"] or None,
        "port": settings["PORT"] or None,
        "user": settings["USER"] or None,
        "password": settings["PASSWORD"] or None,
        "dbname": dbname,
    }


def _url(dbname: str) -> str:
    p = _params(dbname)
    password = f":{p['password']}" if p["password"] else ""
    return f"postgres://{p['user']}{password}@{p['host']}:{p['port']}/{dbname}"


def _connect(dbname: str) -> psycopg.Connection[Any]:
    return psycopg.connect(**_params(dbname), autocommit=True, connect_timeout=10)


def _digest(dbname: str) -> dict[str, Any]:
    """Per table: the row count and an MD5 of every row in a fixed order; per sequence: its
    last value. From a session of its own: committed rows only."""
    with _connect(dbname) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        digest: dict[str, Any] = {}
        for table in tables:
            query = sql.SQL(
                "SELECT count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) "
                "FROM {} t"
            ).format(sql.Identifier(table))
            digest[table] = conn.execute(query).fetchone()
        for name, value in conn.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
        ):
            digest[f"sequence {name}"] = value
        return digest


def _run(script: str, *args: str, **environment: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ROOT / "scripts" / script), *args],
        env={**os.environ, "PG_BIN": _pg_bin(), **environment},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def private_root(tmp_path) -> Path:
    root = tmp_path / "private"
    for name, content in PRIVATE_FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)
    return root


@pytest.fixture
def backup_folder(world, tmp_path, private_root) -> Path:
    result = _run(
        "backup.sh",
        DATABASE_URL=_url(connection.settings_dict["NAME"]),
        DJANGO_PRIVATE_MEDIA_ROOT=str(private_root),
        FJC_BACKUP_DIR=str(tmp_path / "backups"),
    )
    assert result.returncode == 0, result.stderr
    return Path(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def fresh_database() -> Iterator[str]:
    name = f"{connection.settings_dict['NAME']}_restored"
    with _connect("postgres") as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
    yield name
    with _connect("postgres") as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture
def app_role() -> Iterator[str]:
    """A login role like the deployment's application role (one per xdist worker). Asked for
    before the restored database, so that it is dropped after it (it holds grants there)."""
    role = f"fjc_app_restore_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    with _connect("postgres") as conn:
        conn.execute(f"DROP ROLE IF EXISTS {quote_ident(role)}")
        conn.execute(f"CREATE ROLE {quote_ident(role)} {APP_ROLE_ATTRIBUTES}")
    yield role
    with _connect("postgres") as conn:
        conn.execute(f"DROP ROLE IF EXISTS {quote_ident(role)}")


def test_a_backup_restores_every_table_sequence_and_file(
    app_role, backup_folder, private_root, fresh_database, tmp_path
):
    with _connect("postgres") as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(fresh_database)))
    restored_files = tmp_path / "restored-private"

    result = _run(
        "restore.sh",
        str(backup_folder),
        DATABASE_URL=_url(fresh_database),
        DJANGO_PRIVATE_MEDIA_ROOT=str(restored_files),
        FJC_APP_DB_ROLE=app_role,
    )

    assert result.returncode == 0, result.stderr
    original = _digest(connection.settings_dict["NAME"])
    assert original["cases_case"][0] >= 5, "the committed world is in the backup"
    assert original["access_auditevent"][0] > 0
    assert _digest(fresh_database) == original
    restored = {
        path.relative_to(restored_files).as_posix(): path.read_bytes()
        for path in restored_files.rglob("*")
        if path.is_file()
    }
    assert restored == PRIVATE_FILES
    with _connect(fresh_database) as conn:
        privileges = conn.execute(
            "SELECT has_table_privilege(%(r)s, 'cases_case', 'UPDATE'),"
            " has_table_privilege(%(r)s, 'access_auditevent', 'INSERT'),"
            " has_table_privilege(%(r)s, 'access_auditevent', 'UPDATE'),"
            " has_table_privilege(%(r)s, 'access_auditevent', 'TRUNCATE')",
            {"r": app_role},
        ).fetchone()
    assert privileges == (True, True, False, False)


def test_the_manifest_holds_counts_and_checksums_but_no_secret_or_name(backup_folder):
    text = (backup_folder / "manifest.json").read_text(encoding="utf-8")
    manifest = json.loads(text)
    original = _digest(connection.settings_dict["NAME"])
    assert manifest["database"]["tables"] == {
        name: value[0] for name, value in original.items() if not name.startswith("sequence ")
    }
    assert len(manifest["database"]["sha256"]) == 64
    assert len(manifest["files"]["sha256"]) == 64
    assert manifest["files"]["count"] == len(PRIVATE_FILES)
    assert len(manifest["files"]["entries"]) == len(PRIVATE_FILES)
    assert manifest["app"]["git_commit"]
    for secret_or_name in ("postgres://", connection.settings_dict["NAME"], "Peeters", "élan"):
        assert secret_or_name not in text
    assert oct((backup_folder / "db.dump").stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize("part", ["db.dump", "private-files.tar"])
def test_a_tampered_backup_is_refused_before_anything_is_written(
    backup_folder, fresh_database, tmp_path, part
):
    damaged = backup_folder / part
    content = bytearray(damaged.read_bytes())
    content[len(content) // 2] ^= 0xFF
    damaged.write_bytes(bytes(content))
    restored_files = tmp_path / "restored-private"

    result = _run(
        "restore.sh",
        str(backup_folder),
        DATABASE_URL=_url(fresh_database),
        DJANGO_PRIVATE_MEDIA_ROOT=str(restored_files),
    )

    assert result.returncode == 1
    assert f"{part} does not match its checksum" in result.stderr
    with _connect("postgres") as conn:
        exists = conn.execute(
            "SELECT count(*) FROM pg_database WHERE datname = %s", [fresh_database]
        ).fetchone()
    assert exists == (0,)
    assert not restored_files.exists()


def test_a_restore_never_writes_into_a_database_that_holds_tables(backup_folder, tmp_path):
    before = _digest(connection.settings_dict["NAME"])

    result = _run(
        "restore.sh",
        str(backup_folder),
        DATABASE_URL=_url(connection.settings_dict["NAME"]),
        DJANGO_PRIVATE_MEDIA_ROOT=str(tmp_path / "restored-private"),
    )

    assert result.returncode == 1
    assert "is not empty: restore into a new database" in result.stderr
    assert _digest(connection.settings_dict["NAME"]) == before


def test_a_restore_into_a_folder_that_holds_files_touches_no_database(
    backup_folder, fresh_database, tmp_path
):
    """The files' folder is checked before the database is restored: a refused restore
    leaves no half-restored installation behind."""
    occupied = tmp_path / "occupied-private"
    occupied.mkdir()
    (occupied / "left-over.pdf").write_bytes(b"%PDF-1.7 someone else's file")

    result = _run(
        "restore.sh",
        str(backup_folder),
        DATABASE_URL=_url(fresh_database),
        DJANGO_PRIVATE_MEDIA_ROOT=str(occupied),
    )

    assert result.returncode == 1
    assert "is not empty" in result.stderr
    with _connect("postgres") as conn:
        exists = conn.execute(
            "SELECT count(*) FROM pg_database WHERE datname = %s", [fresh_database]
        ).fetchone()
    assert exists == (0,)
    assert [path.name for path in occupied.iterdir()] == ["left-over.pdf"]


@pytest.mark.skipif(not shutil.which("gpg"), reason="GnuPG is not installed")
def test_an_encrypted_backup_leaves_no_plain_copy_and_restores(
    world, private_root, fresh_database, tmp_path
):
    gnupg = tmp_path / "gnupg"
    gnupg.mkdir(mode=0o700)
    recipient = "fjc-backup@example.org"
    subprocess.run(
        ["gpg", "--batch", "--passphrase", "", "--quick-gen-key", recipient, "future-default"],
        env={**os.environ, "GNUPGHOME": str(gnupg)},
        capture_output=True,
        check=True,
    )
    backups = tmp_path / "backups"
    made = _run(
        "backup.sh",
        DATABASE_URL=_url(connection.settings_dict["NAME"]),
        DJANGO_PRIVATE_MEDIA_ROOT=str(private_root),
        FJC_BACKUP_DIR=str(backups),
        FJC_BACKUP_GPG_RECIPIENT=recipient,
        GNUPGHOME=str(gnupg),
    )
    assert made.returncode == 0, made.stderr
    [encrypted] = backups.iterdir()
    assert encrypted.name.endswith(".tar.gpg")
    assert b"Peeters" not in encrypted.read_bytes()

    result = _run(
        "restore.sh",
        str(encrypted),
        DATABASE_URL=_url(fresh_database),
        DJANGO_PRIVATE_MEDIA_ROOT=str(tmp_path / "restored-private"),
        GNUPGHOME=str(gnupg),
    )

    assert result.returncode == 0, result.stderr
    assert _digest(fresh_database) == _digest(connection.settings_dict["NAME"])
