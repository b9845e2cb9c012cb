"""Backups of private files that live in a bucket (issue 20, part 6: beyond one machine).

With ``FJC_S3_BUCKET`` set, scripts/backup.sh archives every object under ``FJC_S3_PREFIX`` into
the same ``private-files.tar`` (named by its key under the prefix, the name the application
stored) and the same manifest as a folder's files; scripts/restore.sh uploads them into an empty
bucket prefix and checks every object against the manifest. The two kinds of backup are one
format: a bucket's backup restores into a folder and a folder's into a bucket. As in
tests/test_s3_storage.py, moto's S3 server runs on a loopback port and the scripts talk to it
over HTTP with boto3, configured by the same ``FJC_S3_*`` variables as the application.
"""

import hashlib
import importlib.util
import io
import json
import tarfile
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
from boto3.exceptions import S3UploadFailedError
from botocore.exceptions import ClientError, EndpointConnectionError
from django.db import connection

from . import moto_s3
from . import test_backup_restore as folder_backups
from .test_backup_restore import PRIVATE_FILES, _connect, _digest, _run, _url

# The folder backups' fixtures, shared (the same database, files and restore target).
backup_folder = folder_backups.backup_folder
fresh_database = folder_backups.fresh_database
private_root = folder_backups.private_root

pytestmark = pytest.mark.django_db

ACCESS_KEY = "moto-backup-access"
SECRET_KEY = "moto-backup-secret-do-not-log"
REGION = "eu-west-1"
PREFIX = "mechelen"
# Beside the installation's prefix: never in its backup, never touched by its restore.
NEIGHBOURS = {
    "mechelen-oud/case-documents/ander.pdf": b"%PDF another installation\n",
    "leuven/case-documents/ander.pdf": b"%PDF another installation\n",
}


# The emulator, shared with the other bucket tests.
s3_endpoint = moto_s3.s3_endpoint


@pytest.fixture
def s3(s3_endpoint) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )


def _new_bucket(s3) -> str:
    name = f"fjc-backup-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return name


def _objects(s3, bucket: str, prefix: str = "") -> dict[str, bytes]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return {
        item["Key"]: s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        for page in pages
        for item in page.get("Contents", [])
    }


def _bucket_environment(
    s3_endpoint: str, tmp_path: Path, bucket: str, prefix: str = PREFIX, **extra: str
) -> dict[str, str]:
    """The variables compose gives the application: the secret key as a Docker secret (a file,
    with the editor's newline), the access key as a value."""
    secret_file = tmp_path / "s3_secret_key"
    secret_file.write_text(SECRET_KEY + "\n", encoding="utf-8")
    return {
        "FJC_S3_BUCKET": bucket,
        "FJC_S3_ENDPOINT_URL": s3_endpoint,
        "FJC_S3_REGION": REGION,
        "FJC_S3_PREFIX": prefix,
        "FJC_S3_ACCESS_KEY": ACCESS_KEY,
        "FJC_S3_SECRET_KEY_FILE": str(secret_file),
        "FJC_S3_SECRET_KEY": "",
        **extra,
    }


def _no_bucket() -> dict[str, str]:
    return {"FJC_S3_BUCKET": "", "FJC_S3_PREFIX": ""}


def _prefixed(prefix: str) -> dict[str, bytes]:
    return {f"{prefix}/{name}" if prefix else name: data for name, data in PRIVATE_FILES.items()}


@pytest.fixture
def source_bucket(s3) -> str:
    name = _new_bucket(s3)
    for key, data in {**_prefixed(PREFIX), **NEIGHBOURS}.items():
        s3.put_object(Bucket=name, Key=key, Body=data)
    return name


@pytest.fixture
def bucket_backup(world, tmp_path, s3_endpoint, source_bucket) -> Path:
    # A stray file in the local folder: with a bucket, the bucket is where the files are.
    stray = tmp_path / "local-private" / "stray.pdf"
    stray.parent.mkdir()
    stray.write_bytes(b"%PDF not the installation's\n")
    result = _run(
        "backup.sh",
        DATABASE_URL=_url(connection.settings_dict["NAME"]),
        DJANGO_PRIVATE_MEDIA_ROOT=str(stray.parent),
        FJC_BACKUP_DIR=str(tmp_path / "backups"),
        **_bucket_environment(s3_endpoint, tmp_path, source_bucket),
    )
    assert result.returncode == 0, result.stderr
    for secret in (ACCESS_KEY, SECRET_KEY):
        assert secret not in result.stdout + result.stderr
    return Path(result.stdout.strip().splitlines()[-1])


def _database_exists(name: str) -> bool:
    with _connect("postgres") as conn:
        found = conn.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [name])
        return found.fetchone() == (1,)


def test_a_bucket_backup_archives_every_object_under_the_prefix_by_its_name(bucket_backup):
    with tarfile.open(bucket_backup / "private-files.tar") as archive:
        archived = {
            member.name: archive.extractfile(member).read()  # type: ignore[union-attr]
            for member in archive.getmembers()
        }
    assert archived == PRIVATE_FILES


def test_a_bucket_backup_restores_into_an_empty_bucket(
    bucket_backup, fresh_database, s3, s3_endpoint, tmp_path
):
    target = _new_bucket(s3)
    # Another installation's object beside the target prefix does not make it non-empty.
    s3.put_object(Bucket=target, Key="leuven/x.pdf", Body=b"%PDF")

    result = _run(
        "restore.sh",
        str(bucket_backup),
        DATABASE_URL=_url(fresh_database),
        DJANGO_PRIVATE_MEDIA_ROOT=str(tmp_path / "unused-folder"),
        **_bucket_environment(
            s3_endpoint, tmp_path, target, "hersteld", FJC_S3_SERVER_SIDE_ENCRYPTION="AES256"
        ),
    )

    assert result.returncode == 0, result.stderr
    assert f"and {len(PRIVATE_FILES)} private files" in result.stdout
    assert _objects(s3, target) == {**_prefixed("hersteld"), "leuven/x.pdf": b"%PDF"}
    for key in _prefixed("hersteld"):
        head = s3.head_object(Bucket=target, Key=key)
        assert head["ServerSideEncryption"] == "AES256"
        # As django-storages would have stored it.
        assert head["ContentType"] == "application/pdf"
    assert _digest(fresh_database) == _digest(connection.settings_dict["NAME"])
    assert not (tmp_path / "unused-folder").exists()


def test_a_bucket_backup_restores_into_a_local_folder(bucket_backup, fresh_database, tmp_path):
    restored_files = tmp_path / "restored-private"

    result = _run(
        "restore.sh",
        str(bucket_backup),
        DATABASE_URL=_url(fresh_database),
        DJANGO_PRIVATE_MEDIA_ROOT=str(restored_files),
        **_no_bucket(),
    )

    assert result.returncode == 0, result.stderr
    restored = {
        path.relative_to(restored_files).as_posix(): path.read_bytes()
        for path in restored_files.rglob("*")
        if path.is_file()
    }
    assert restored == PRIVATE_FILES


def test_a_folder_backup_restores_into_a_bucket(
    backup_folder, fresh_database, s3, s3_endpoint, tmp_path
):
    target = _new_bucket(s3)

    result = _run(
        "restore.sh",
        str(backup_folder),
        DATABASE_URL=_url(fresh_database),
        **_bucket_environment(s3_endpoint, tmp_path, target, prefix=""),
    )

    assert result.returncode == 0, result.stderr
    assert _objects(s3, target) == _prefixed("")


def test_the_bucket_backups_manifest_is_a_folder_backups_without_a_key_or_secret(
    bucket_backup, source_bucket, s3_endpoint
):
    text = (bucket_backup / "manifest.json").read_text(encoding="utf-8")
    files = json.loads(text)["files"]
    assert files["count"] == len(PRIVATE_FILES)
    # Exactly the entries a folder holding the same files gives.
    sha = hashlib.sha256
    assert sorted(
        (entry["path_sha256"], entry["sha256"], entry["size"]) for entry in files["entries"]
    ) == sorted(
        (sha(name.encode()).hexdigest(), sha(data).hexdigest(), len(data))
        for name, data in PRIVATE_FILES.items()
    )
    assert (
        files["sha256"]
        == hashlib.sha256((bucket_backup / "private-files.tar").read_bytes()).hexdigest()
    )
    for secret_or_name in (
        ACCESS_KEY,
        SECRET_KEY,
        source_bucket,
        s3_endpoint,
        f"{PREFIX}/",
        "legal-bases",
        "Peeters",
        "élan",
    ):
        assert secret_or_name not in text
    assert oct((bucket_backup / "private-files.tar").stat().st_mode & 0o777) == "0o600"


def test_a_tampered_bucket_backup_is_refused_before_anything_is_written(
    bucket_backup, fresh_database, s3, s3_endpoint, tmp_path
):
    damaged = bucket_backup / "private-files.tar"
    content = bytearray(damaged.read_bytes())
    content[len(content) // 2] ^= 0xFF
    damaged.write_bytes(bytes(content))
    target = _new_bucket(s3)

    result = _run(
        "restore.sh",
        str(bucket_backup),
        DATABASE_URL=_url(fresh_database),
        **_bucket_environment(s3_endpoint, tmp_path, target),
    )

    assert result.returncode == 1
    assert "private-files.tar does not match its checksum" in result.stderr
    assert _objects(s3, target) == {}
    assert not _database_exists(fresh_database)


def test_a_restore_never_writes_into_a_bucket_prefix_that_holds_objects(
    bucket_backup, fresh_database, s3, s3_endpoint, tmp_path
):
    target = _new_bucket(s3)
    s3.put_object(Bucket=target, Key=f"{PREFIX}/case-documents/bestaand.pdf", Body=b"%PDF here")
    before = _objects(s3, target)

    result = _run(
        "restore.sh",
        str(bucket_backup),
        DATABASE_URL=_url(fresh_database),
        **_bucket_environment(s3_endpoint, tmp_path, target),
    )

    assert result.returncode == 1
    assert "is not empty" in result.stderr
    assert _objects(s3, target) == before
    # Refused before the database, too: nothing was restored anywhere.
    assert not _database_exists(fresh_database)
    for secret in (ACCESS_KEY, SECRET_KEY):
        assert secret not in result.stdout + result.stderr


def test_objects_that_differ_from_the_manifest_fail_the_restore(
    bucket_backup, fresh_database, s3, s3_endpoint, tmp_path
):
    """The archive matches its checksum but not the manifest's per-file entries (a manifest
    edited by hand): the restore reads every object back and says so."""
    manifest_path = bucket_backup / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["files"]["entries"][0]["sha256"] = "0" * 64
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    target = _new_bucket(s3)

    result = _run(
        "restore.sh",
        str(bucket_backup),
        DATABASE_URL=_url(fresh_database),
        **_bucket_environment(s3_endpoint, tmp_path, target),
    )

    assert result.returncode == 1
    assert "The restored private files differ from the manifest" in result.stderr


def _script() -> Any:
    spec = importlib.util.spec_from_file_location(
        "fjc_backup", Path(folder_backups.ROOT) / "scripts" / "fjc_backup.py"
    )
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script


def test_a_lost_connection_is_reported_without_the_objects_key():
    """botocore's message of a failed request holds its URL, whose path is the object's key
    (which may carry a person's name)."""
    script = _script()
    url = "http://minio:9000/fjc-private/mechelen/legal-bases/Toestemming%20Jan%20Peeters.pdf"

    def download() -> None:
        with script.bucket_errors():
            raise EndpointConnectionError(endpoint_url=url)

    with pytest.raises(script.BackupError) as raised:
        download()

    assert "Peeters" not in str(raised.value)
    assert "http://minio:9000/" in str(raised.value)


def test_a_refused_upload_is_reported_without_the_objects_key():
    """boto3's own message of a failed upload names the key, which may carry a person's name."""
    script = _script()
    key = "mechelen/legal-bases/2024/Toestemming Jan Peeters.pdf"

    def upload() -> None:
        with script.bucket_errors():
            try:
                raise ClientError({"Error": {"Code": "AccessDenied"}}, "PutObject")
            except ClientError as error:
                # As boto3's S3Transfer raises it.
                raise S3UploadFailedError(f"Failed to upload x to b/{key}: {error}")  # noqa: B904

    with pytest.raises(script.BackupError) as raised:
        upload()

    assert str(raised.value) == "The bucket refused an upload (AccessDenied)."


@pytest.mark.parametrize("kind", ["outside the prefix", "a link"])
def test_an_archive_with_no_place_in_a_bucket_is_refused_before_anything_is_written(
    bucket_backup, fresh_database, s3, s3_endpoint, tmp_path, kind
):
    """A files archive rebuilt by hand, with a manifest that matches it: a name that leaves
    the prefix, or a symbolic link, is refused before the database or the bucket is written."""
    archive_path = bucket_backup / "private-files.tar"
    with tarfile.open(archive_path, "w", format=tarfile.PAX_FORMAT) as archive:
        member = tarfile.TarInfo("../leuven/ander.pdf" if kind == "outside the prefix" else "x")
        if kind == "a link":
            member.type, member.linkname = tarfile.SYMTYPE, "/etc/passwd"
        archive.addfile(member, io.BytesIO(b""))
    manifest_path = bucket_backup / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["files"]["sha256"] = hashlib.sha256(archive_path.read_bytes()).hexdigest()
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    target = _new_bucket(s3)

    result = _run(
        "restore.sh",
        str(bucket_backup),
        DATABASE_URL=_url(fresh_database),
        **_bucket_environment(s3_endpoint, tmp_path, target),
    )

    assert result.returncode == 1, result.stderr
    assert "restore failed:" in result.stderr
    assert _objects(s3, target) == {}
    assert not _database_exists(fresh_database)
