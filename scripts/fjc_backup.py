# The programs run here are fixed (pg_dump, pg_restore, gpg, git, manage.py) and their
# arguments are lists, never a shell: S603/S607 would flag every call.
# ruff: noqa: S603, S607
"""Backup and restore of an installation: the PostgreSQL database and the private files.

Run through scripts/backup.sh and scripts/restore.sh (README, "Backup and restore"). Standalone
on purpose (psycopg and the PostgreSQL client programs, no Django): a backup must not depend on
the application's settings being loadable, and the restore's only use of Django is the
``manage.py grant_app_role`` it runs at the end.

A backup is a folder::

    fjc-backup-20250101T020000Z/
        db.dump              pg_dump -Fc, taken as the owner of the tables
        private-files.tar    DJANGO_PRIVATE_MEDIA_ROOT (or the bucket's objects, see below)
        manifest.json        time, app version, row counts, SHA-256 of both files and of every
                             private file

The manifest holds no secret and no personal data: no connection string, and each private file
is named by the SHA-256 of its path (uploaded file names may carry a person's name). The dump
and the row counts are taken in one snapshot (``pg_export_snapshot``), so the counts are the
dump's even while the application writes.

The backup itself holds special-category data (art. 9 GDPR): it must be encrypted at rest.
With ``FJC_BACKUP_GPG_RECIPIENT`` set, the folder is written as one ``<name>.tar.gpg`` for that
public key and the plain folder is removed; the restore decrypts it with the private key.

With ``FJC_S3_BUCKET`` set the private files are the objects under ``FJC_S3_PREFIX`` in that
S3-compatible bucket (fjc/settings.py, ``private_storage``), read with boto3 from the same
``FJC_S3_*`` variables: each goes into ``private-files.tar`` under its name in the storage (its key
without the prefix, as a folder's file goes under its path), so the archive and the manifest are
the same whichever held the files, and a folder's backup restores into a bucket and back.

Environment: ``DATABASE_URL`` (the owner's, or a superuser's; ``DATABASE_PASSWORD_FILE`` may hold
its password), ``DJANGO_PRIVATE_MEDIA_ROOT``, ``FJC_BACKUP_DIR`` (where backups go, default
``backups``), ``FJC_APP_DB_ROLE`` (the application role the restore grants), ``PG_BIN`` (the
folder of pg_dump and pg_restore, default: the PATH); for a bucket ``FJC_S3_BUCKET``,
``FJC_S3_ENDPOINT_URL``, ``FJC_S3_REGION``, ``FJC_S3_ACCESS_KEY`` and ``FJC_S3_SECRET_KEY`` (or
their ``*_FILE`` Docker secrets), ``FJC_S3_PREFIX``, ``FJC_S3_ADDRESSING_STYLE``,
``FJC_S3_SERVER_SIDE_ENCRYPTION``.
"""

import argparse
import hashlib
import io
import json
import mimetypes
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

FORMAT = 1
DUMP = "db.dump"
FILES = "private-files.tar"
MANIFEST = "manifest.json"
ROOT = Path(__file__).resolve().parent.parent
CHUNK = 1 << 20


class BackupError(Exception):
    """The backup or the restore cannot go on; the message says why."""


# -- connection -------------------------------------------------------------------------------


def connection_parameters() -> dict[str, str]:
    """libpq's parameters from DATABASE_URL (and DATABASE_PASSWORD_FILE). They go to the client
    programs through the environment, never on a command line that ``ps`` shows."""
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"} or not parts.path.strip("/"):
        raise BackupError("DATABASE_URL must name a PostgreSQL database (postgres://...).")
    params = {
        "host": parts.hostname or "",
        "port": str(parts.port or ""),
        "user": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "dbname": unquote(parts.path.strip("/")),
    }
    password_file = os.environ.get("DATABASE_PASSWORD_FILE")
    if password_file:
        params["password"] = Path(password_file).read_text(encoding="utf-8").strip()
    return {key: value for key, value in params.items() if value}


def libpq_environment(params: dict[str, str]) -> dict[str, str]:
    names = {
        "host": "PGHOST",
        "port": "PGPORT",
        "user": "PGUSER",
        "password": "PGPASSWORD",
        "dbname": "PGDATABASE",
    }
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}}
    environment.update({names[key]: value for key, value in params.items()})
    return environment


def connect(
    params: dict[str, str], *, dbname: str | None = None, autocommit: bool = False
) -> psycopg.Connection[Any]:
    return psycopg.connect(
        make_conninfo("", **{**params, "dbname": dbname or params["dbname"]}),
        autocommit=autocommit,
        connect_timeout=10,
    )


def pg_program(name: str) -> str:
    folder = os.environ.get("PG_BIN")
    return str(Path(folder) / name) if folder else name


def table_row_counts(cursor: psycopg.Cursor[Any]) -> dict[str, int]:
    """Every table of the database (outside PostgreSQL's own schemas) and its number of rows."""
    cursor.execute(
        """
        SELECT n.nspname, c.relname FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p')
          AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg_toast%%'
        ORDER BY 1, 2
        """
    )
    counts = {}
    for schema, table in cursor.fetchall():
        cursor.execute(
            sql.SQL("SELECT count(*) FROM {}.{}").format(
                sql.Identifier(schema), sql.Identifier(table)
            )
        )
        name = table if schema == "public" else f"{schema}.{table}"
        counts[name] = cursor.fetchone()[0]  # type: ignore[index]
    return counts


# -- files ------------------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def private_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(relative POSIX path, path) of every regular file under root, sorted."""
    if not root.exists():
        return
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            raise BackupError(f"A symbolic link in the private files: {path.relative_to(root)}")
        if path.is_file():
            yield path.relative_to(root).as_posix(), path


def file_entries(root: Path) -> list[dict[str, Any]]:
    return [
        {"path_sha256": sha256_text(name), "sha256": sha256_file(path), "size": path.stat().st_size}
        for name, path in private_files(root)
    ]


def media_root() -> Path:
    value = os.environ.get("DJANGO_PRIVATE_MEDIA_ROOT")
    return Path(value) if value else ROOT / "var" / "private"


# -- private files in a bucket ----------------------------------------------------------------


def secret(name: str) -> str:
    """As fjc.settings.secret: the file ``<name>_FILE`` names (a Docker secret) wins over
    ``<name>``; neither set: empty (the host's own credentials)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            # A trailing newline is the editor's, not the secret's.
            return Path(path).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as error:
            raise BackupError(f"{name}_FILE: {error}") from error
    return os.environ.get(name, "")


def check_name(name: str) -> None:
    """A private file's name must be a relative path in a folder as well as a key in a bucket:
    the same backup restores into either."""
    if not name or any(part in {"", ".", ".."} for part in name.split("/")):
        # Named by its hash: a name may carry a person's name.
        raise BackupError(
            f"A private file's name is not a relative path (SHA-256 {sha256_text(name)})."
        )


@dataclass(frozen=True)
class Bucket:
    """The private files' bucket, configured as fjc.settings.private_storage configures the
    application's storage."""

    client: Any
    name: str
    # Empty, or FJC_S3_PREFIX and "/": where django-storages puts its names (its ``location``).
    prefix: str
    # The write parameters django-storages adds to every upload (server-side encryption).
    object_parameters: dict[str, str]

    def key(self, name: str) -> str:
        return self.prefix + name

    def objects(self) -> list[tuple[str, int]]:
        """(name in the storage, size) of every object under the prefix, sorted by name."""
        found = []
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.name, Prefix=self.prefix
        )
        for page in pages:
            for item in page.get("Contents", []):
                name = item["Key"][len(self.prefix) :]
                if (not name or name.endswith("/")) and not item["Size"]:
                    continue  # A "folder" some consoles create: no file.
                check_name(name)
                found.append((name, item["Size"]))
        return sorted(found)

    def is_empty(self) -> bool:
        listed = self.client.list_objects_v2(Bucket=self.name, Prefix=self.prefix, MaxKeys=1)
        return not listed.get("Contents")


def bucket_from_environment() -> Bucket | None:
    """The private files' bucket when FJC_S3_BUCKET names one, else None (the folder)."""
    name = os.environ.get("FJC_S3_BUCKET", "")
    if not name:
        return None
    # Only with a bucket: a folder's backup needs nothing beyond psycopg.
    import boto3
    from botocore.config import Config

    prefix = os.environ.get("FJC_S3_PREFIX", "")
    if prefix.startswith("/"):
        raise BackupError("FJC_S3_PREFIX cannot begin with a slash.")
    encryption = os.environ.get("FJC_S3_SERVER_SIDE_ENCRYPTION", "")
    client = boto3.client(
        "s3",
        endpoint_url=os.environ.get("FJC_S3_ENDPOINT_URL") or None,
        region_name=os.environ.get("FJC_S3_REGION") or None,
        aws_access_key_id=secret("FJC_S3_ACCESS_KEY") or None,
        aws_secret_access_key=secret("FJC_S3_SECRET_KEY") or None,
        config=Config(
            signature_version="s3v4",
            s3={"addressing_style": os.environ.get("FJC_S3_ADDRESSING_STYLE") or "path"},
        ),
    )
    return Bucket(
        client=client,
        name=name,
        prefix=prefix.rstrip("/") + "/" if prefix.rstrip("/") else "",
        object_parameters={"ServerSideEncryption": encryption} if encryption else {},
    )


@contextmanager
def bucket_errors() -> Iterator[None]:
    """The bucket's refusals as a BackupError that says which request failed and why, never
    with a request's parameters (an object's key may carry a person's name)."""
    from boto3.exceptions import Boto3Error
    from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

    try:
        yield
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "unknown")
        raise BackupError(f"The bucket answered {code} to {error.operation_name}.") from error
    except ParamValidationError as error:
        raise BackupError("A request to the bucket had invalid parameters.") from error
    except BotoCoreError as error:
        # A connection error's message holds the request's URL, whose path is the key.
        message = re.sub(r"(https?://[^/\s\"']+)/[^\s\"']*", r"\1/...", str(error))
        message = re.sub(r"(url: )/\S*", r"\1/...", message)
        raise BackupError(f"The bucket: {message}") from error
    except Boto3Error as error:
        # S3UploadFailedError's own message names the object's key.
        cause = error.__cause__ or error.__context__
        code = cause.response.get("Error", {}).get("Code") if isinstance(cause, ClientError) else ""
        raise BackupError(
            f"The bucket refused an upload ({code or type(error).__name__})."
        ) from error


class HashingReader:
    """Reads a stream through, hashing what passes: an object is archived or checked as it
    downloads, never held whole in memory or on disk."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        chunk: bytes = self.stream.read(size)
        self.digest.update(chunk)
        self.size += len(chunk)
        return chunk


def archive_bucket(bucket: Bucket, path: Path) -> list[dict[str, Any]]:
    """Every object under the prefix into the tar at path, named as in the storage; the
    manifest's entries of what was archived (listed, downloaded and hashed in one pass)."""
    entries = []
    with (
        bucket_errors(),
        tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as archive,
    ):
        for name, _size in bucket.objects():
            try:
                response = bucket.client.get_object(Bucket=bucket.name, Key=bucket.key(name))
            except bucket.client.exceptions.NoSuchKey:
                # Deleted since the listing (the application runs): as if listed just after.
                continue
            info = tarfile.TarInfo(name)
            info.size = response["ContentLength"]
            info.mtime = response["LastModified"].timestamp()
            info.mode = 0o600
            reader = HashingReader(response["Body"])
            archive.addfile(info, reader)
            response["Body"].close()
            entries.append(
                {
                    "path_sha256": sha256_text(name),
                    "sha256": reader.digest.hexdigest(),
                    "size": reader.size,
                }
            )
    return entries


def bucket_entries(bucket: Bucket) -> list[dict[str, Any]]:
    """The manifest's entries of the objects under the prefix, read back from the bucket."""
    entries = []
    with bucket_errors():
        for name, _size in bucket.objects():
            body = bucket.client.get_object(Bucket=bucket.name, Key=bucket.key(name))["Body"]
            reader = HashingReader(body)
            while reader.read(CHUNK):
                pass
            body.close()
            entries.append(
                {
                    "path_sha256": sha256_text(name),
                    "sha256": reader.digest.hexdigest(),
                    "size": reader.size,
                }
            )
    return entries


def ensure_empty_bucket(bucket: Bucket) -> None:
    """A restore never mixes with objects already under the prefix."""
    with bucket_errors():
        empty = bucket.is_empty()
    if not empty:
        raise BackupError(
            f"The private files' bucket {bucket.name!r} is not empty under the prefix "
            f"{bucket.prefix!r}: restore into an empty bucket or prefix."
        )


# -- backup -----------------------------------------------------------------------------------


def app_version() -> dict[str, str]:
    version = {"version": os.environ.get("FJC_VERSION", "unknown"), "git_commit": "unknown"}
    try:
        result = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except OSError:
        return version
    if result.returncode == 0:
        version["git_commit"] = result.stdout.strip()
    return version


def backup(output: Path) -> Path:
    params = connection_parameters()
    bucket = bucket_from_environment()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = output / f"fjc-backup-{stamp}"
    target.mkdir(parents=True, exist_ok=False)
    os.chmod(target, 0o700)
    with connect(params) as conn, conn.cursor() as cursor:
        # One snapshot for the counts and the dump: the manifest describes exactly the dump.
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
        server_version = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
        counts = table_row_counts(cursor)
        subprocess.run(
            [pg_program("pg_dump"), "-Fc", f"--snapshot={snapshot}", f"--file={target / DUMP}"],
            env=libpq_environment(params),
            check=True,
        )
        conn.rollback()
    if bucket:
        entries = archive_bucket(bucket, target / FILES)
    else:
        root = media_root()
        entries = file_entries(root)
        with tarfile.open(target / FILES, "w", format=tarfile.PAX_FORMAT) as archive:
            for name, path in private_files(root):
                archive.add(path, arcname=name, recursive=False)
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "app": app_version(),
        "postgresql": {"server_version": server_version},
        "database": {
            "file": DUMP,
            "sha256": sha256_file(target / DUMP),
            "size": (target / DUMP).stat().st_size,
            "tables": counts,
        },
        "files": {
            "file": FILES,
            "sha256": sha256_file(target / FILES),
            "size": (target / FILES).stat().st_size,
            "count": len(entries),
            "entries": entries,
        },
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    for path in target.iterdir():
        os.chmod(path, 0o600)
    recipient = os.environ.get("FJC_BACKUP_GPG_RECIPIENT")
    return encrypt(target, recipient) if recipient else target


def encrypt(folder: Path, recipient: str) -> Path:
    """The folder as one tar encrypted for the recipient's public key; the plain folder goes."""
    encrypted = folder.with_name(folder.name + ".tar.gpg")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        archive.add(folder, arcname=folder.name)
    subprocess.run(
        [
            *("gpg", "--batch", "--yes", "--trust-model", "always", "--encrypt"),
            *("--recipient", recipient, "--output", str(encrypted)),
        ],
        input=buffer.getvalue(),
        check=True,
    )
    os.chmod(encrypted, 0o600)
    shutil.rmtree(folder)
    return encrypted


# -- restore ----------------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(f"No readable {MANIFEST} in {folder}: {error}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    return manifest


def verify_checksums(folder: Path, manifest: dict[str, Any]) -> None:
    """Refuses a backup whose dump or files archive is not the one the manifest describes."""
    for part in ("database", "files"):
        path = folder / manifest[part]["file"]
        if not path.is_file():
            raise BackupError(f"{path.name} is missing from the backup.")
        if sha256_file(path) != manifest[part]["sha256"]:
            raise BackupError(f"{path.name} does not match its checksum: the backup is damaged.")


def ensure_empty_database(params: dict[str, str]) -> None:
    """The target database must be new: created here when it does not exist, refused when it
    holds any table (a restore never mixes with what is there)."""
    try:
        conn = connect(params)
    except psycopg.OperationalError as error:
        if "does not exist" not in str(error):
            raise
        with connect(params, dbname="postgres", autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(params["dbname"])))
        return
    with conn, conn.cursor() as cursor:
        if table_row_counts(cursor):
            raise BackupError(
                f"The database {params['dbname']!r} is not empty: restore into a new database."
            )


def ensure_empty_folder(root: Path) -> None:
    if root.exists() and any(root.iterdir()):
        raise BackupError(f"The private files folder {root} is not empty.")


def restore_files(folder: Path, manifest: dict[str, Any], root: Path) -> None:
    ensure_empty_folder(root)
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / FILES) as archive:
        # The "data" filter refuses absolute paths, "..", links outside and device files.
        archive.extractall(root, filter="data")
    expected = sorted(
        (e["path_sha256"], e["sha256"], e["size"]) for e in manifest["files"]["entries"]
    )
    actual = sorted((e["path_sha256"], e["sha256"], e["size"]) for e in file_entries(root))
    if actual != expected:
        raise BackupError("The restored private files differ from the manifest.")


def archived_files(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    """The files of the archive, all checked before the first upload: a bucket has no links
    or devices, and a key must be a file's relative path (a bad archive writes nothing)."""
    members = [member for member in archive.getmembers() if not member.isdir()]
    for member in members:
        if not member.isreg():
            raise BackupError("The files archive holds something other than files.")
        check_name(member.name)
    return members


def restore_files_to_bucket(folder: Path, manifest: dict[str, Any], bucket: Bucket) -> None:
    """Uploads every file of the archive under the prefix, as django-storages would have
    stored it (its content type, the server-side encryption), then reads every object back
    against the manifest."""
    ensure_empty_bucket(bucket)
    with tarfile.open(folder / FILES) as archive:
        members = archived_files(archive)
        with bucket_errors():
            for member in members:
                content_type, encoding = mimetypes.guess_type(member.name)
                parameters = {
                    **bucket.object_parameters,
                    "ContentType": content_type or "application/octet-stream",
                }
                if encoding:
                    parameters["ContentEncoding"] = encoding
                bucket.client.upload_fileobj(
                    archive.extractfile(member),
                    bucket.name,
                    bucket.key(member.name),
                    ExtraArgs=parameters,
                )
    expected = sorted(
        (e["path_sha256"], e["sha256"], e["size"]) for e in manifest["files"]["entries"]
    )
    actual = sorted((e["path_sha256"], e["sha256"], e["size"]) for e in bucket_entries(bucket))
    if actual != expected:
        raise BackupError("The restored private files differ from the manifest.")


def grant_app_role(params: dict[str, str]) -> None:
    role = os.environ.get("FJC_APP_DB_ROLE")
    if not role:
        print(
            "FJC_APP_DB_ROLE is not set: the application role got no privileges. "
            "Run `manage.py grant_app_role <role>` as the owner before starting the application.",
            file=sys.stderr,
        )
        return
    python = ROOT / ".venv" / "bin" / "python"
    subprocess.run(
        [str(python if python.exists() else sys.executable), "manage.py", "grant_app_role", role],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": os.environ["DATABASE_URL"]},
        check=True,
        stdout=subprocess.DEVNULL,
    )


def restore(source: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="fjc-restore-") as scratch:
        folder = decrypt(source, Path(scratch)) if source.is_file() else source
        manifest = read_manifest(folder)
        verify_checksums(folder, manifest)
        bucket = bucket_from_environment()
        # Before the database: a refused restore leaves both untouched.
        if bucket:
            ensure_empty_bucket(bucket)
            with tarfile.open(folder / FILES) as archive:
                archived_files(archive)
        else:
            ensure_empty_folder(media_root())
        params = connection_parameters()
        ensure_empty_database(params)
        # As the connecting role (the owner), without the dump's owners and grants: the
        # application role's privileges come from access/database_roles.py, as after migrate.
        subprocess.run(
            [
                *(pg_program("pg_restore"), "--no-owner", "--no-acl", "--exit-on-error"),
                *("--single-transaction", f"--dbname={params['dbname']}", str(folder / DUMP)),
            ],
            env=libpq_environment(params),
            check=True,
        )
        with connect(params) as conn, conn.cursor() as cursor:
            counts = table_row_counts(cursor)
        if counts != manifest["database"]["tables"]:
            differing = sorted(
                name
                for name in set(counts) | set(manifest["database"]["tables"])
                if counts.get(name) != manifest["database"]["tables"].get(name)
            )
            raise BackupError(f"Row counts differ from the manifest: {', '.join(differing)}")
        if bucket:
            restore_files_to_bucket(folder, manifest, bucket)
        else:
            restore_files(folder, manifest, media_root())
        grant_app_role(params)
    print(
        f"Restored {len(counts)} tables ({sum(counts.values())} rows) and "
        f"{manifest['files']['count']} private files; row counts and checksums verified."
    )


def decrypt(encrypted: Path, scratch: Path) -> Path:
    decrypted = subprocess.run(
        ["gpg", "--batch", "--decrypt", str(encrypted)],
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(decrypted)) as archive:
        archive.extractall(scratch, filter="data")
    folders = [path for path in scratch.iterdir() if path.is_dir()]
    if len(folders) != 1:
        raise BackupError(f"{encrypted.name} does not hold one backup folder.")
    return folders[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("backup", help="write a new backup into FJC_BACKUP_DIR")
    restore_parser = commands.add_parser("restore", help="restore a backup into a new database")
    restore_parser.add_argument("backup", type=Path, help="the backup folder (or .tar.gpg)")
    args = parser.parse_args(argv)
    try:
        if args.command == "backup":
            print(backup(Path(os.environ.get("FJC_BACKUP_DIR", "backups"))))
        else:
            restore(args.backup)
    except (BackupError, subprocess.CalledProcessError) as error:
        print(f"{args.command} failed: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
