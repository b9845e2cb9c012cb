"""Private files on an S3-compatible bucket (issue 20, part 6: beyond one machine).

Not mocked in-process: moto's S3 server runs on a free loopback port and the application
talks to it over HTTP with boto3, through django-storages, as it would to MinIO or a cloud's
object store. The storage is the one ``fjc.settings.private_storage`` builds from the
environment (``FJC_S3_*``), so the test covers the settings as deployed.
"""

import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseDocument, DocumentKind
from fjc.settings import private_storage
from partners.models import MunicipalityPopulation
from reporting import pdf, runs
from reporting.models import ReportStatus
from reporting.reports import report_ask

from . import moto_s3
from .clock import TODAY
from .factories import MunicipalityFactory

pytestmark = pytest.mark.django_db

YEAR = TODAY.year - 1
PDF = b"%PDF-1.7\n% a court decision, stored in a bucket\n"
KEYS = {"FJC_S3_ACCESS_KEY": "moto-access", "FJC_S3_SECRET_KEY": "moto-secret"}


# The emulator, shared with the other bucket tests.
s3_endpoint = moto_s3.s3_endpoint


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch) -> tuple[str, Any]:
    """A fresh private bucket on the emulator, made the default (private) storage."""
    name = f"fjc-private-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("FJC_S3_ENDPOINT_URL", s3_endpoint)
    monkeypatch.setenv("FJC_S3_REGION", "eu-west-1")
    for key, value in KEYS.items():
        monkeypatch.setenv(key, value)
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="eu-west-1",
        aws_access_key_id=KEYS["FJC_S3_ACCESS_KEY"],
        aws_secret_access_key=KEYS["FJC_S3_SECRET_KEY"],
    )
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    settings.STORAGES = {**settings.STORAGES, "default": private_storage(name)}
    return name, client


def keys(client, name: str, prefix: str = "") -> list[str]:
    listed = client.list_objects_v2(Bucket=name, Prefix=prefix)
    return sorted(item["Key"] for item in listed.get("Contents", []))


def local_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_settings_name_a_private_bucket_only_when_one_is_given(monkeypatch):
    monkeypatch.delenv("FJC_S3_ENDPOINT_URL", raising=False)
    assert private_storage("") == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    monkeypatch.setenv("FJC_S3_PREFIX", "mechelen")
    config = private_storage("fjc-files")
    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    options = config["OPTIONS"]
    assert options["bucket_name"] == "fjc-files"
    assert options["location"] == "mechelen"
    # Never a public object, never overwritten by a second upload.
    assert options["default_acl"] is None
    assert options["file_overwrite"] is False


def test_a_case_document_is_stored_in_the_bucket_and_read_back_through_the_checked_view(
    world, client, settings, bucket
):
    name, s3 = bucket
    before = local_files(settings)
    case = world.cases["city_a"]
    client.force_login(world.users["director_city_a"])
    response = client.post(
        reverse("cases:document_add", kwargs={"pk": case.pk}),
        {
            "title": "Vonnis in de bucket",
            "kind": DocumentKind.COURT_DECISION,
            "file": SimpleUploadedFile("vonnis.pdf", PDF),
        },
    )
    assert response.status_code == 302
    document = CaseDocument.objects.get(case=case, title="Vonnis in de bucket")
    version = document.versions.get()
    stored = version.file.name or ""
    assert stored.startswith("case-documents/") and stored.endswith(".pdf")
    # In the bucket, not on this host's disk.
    assert keys(s3, name) == [stored]
    assert s3.get_object(Bucket=name, Key=stored)["Body"].read() == PDF
    assert local_files(settings) == before

    download = reverse(
        "cases:document_download", kwargs={"pk": case.pk, "document_pk": document.pk}
    )
    response = client.get(download)
    assert response.status_code == 200
    assert body(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    # The bucket's address is never handed to the browser.
    assert name not in response.serialize_headers().decode()

    # Someone outside the case gets the same answer as for a document that does not exist.
    client.force_login(world.users["director_city_b"])
    assert client.get(download).status_code == 404


def test_an_annual_report_run_stores_exactly_one_pdf_in_the_bucket(
    world, client, settings, bucket, django_capture_on_commit_callbacks
):
    name, s3 = bucket
    before = local_files(settings)
    lead = world.users["opslead_city_a"]
    # The funding split needs the year's municipalities (as in test_reports).
    MunicipalityPopulation.objects.create(
        municipality=MunicipalityFactory.create(name="Alfadorp"), year=YEAR, inhabitants=10_001
    )
    with django_capture_on_commit_callbacks(execute=True):
        run, _joined = report_ask(year=YEAR, by=lead)
    run.refresh_from_db()
    assert run.status == ReportStatus.DONE, run.error
    assert run.file.name == runs.final_name(YEAR, run.pk)
    # Exactly one object, under its final name; no partial object, nothing on local disk.
    assert keys(s3, name, "reports/") == [run.file.name]
    assert local_files(settings) == before
    stored = s3.get_object(Bucket=name, Key=run.file.name)["Body"].read()
    assert stored.startswith(b"%PDF")

    client.force_login(lead)
    response = client.get(reverse("reporting:report_download", kwargs={"run_pk": run.pk}))
    assert response.status_code == 200
    assert body(response) == stored


@pytest.mark.parametrize("where", ["render", "store"])
def test_a_failed_report_run_leaves_no_object_in_the_bucket(
    world, bucket, monkeypatch, django_capture_on_commit_callbacks, where
):
    name, s3 = bucket
    if where == "render":

        def broken_pdf(**kwargs):
            raise RuntimeError("WeasyPrint fell over")

        monkeypatch.setattr(pdf, "report_pdf", broken_pdf)
    else:
        from storages.backends.s3 import S3Storage

        storage_class = S3Storage
        real_save = storage_class.save

        def save_then_fail(self, *args, **kwargs):
            # The object is in the bucket, then the connection (or the database) fails.
            real_save(self, *args, **kwargs)
            raise OSError("connection reset")

        monkeypatch.setattr(storage_class, "save", save_then_fail)
    with django_capture_on_commit_callbacks(execute=True):
        run, _joined = report_ask(year=YEAR, by=world.users["opslead_city_a"])
    run.refresh_from_db()
    assert run.status == ReportStatus.FAILED and not run.file
    assert keys(s3, name) == []


def test_a_stale_run_in_the_bucket_is_failed_and_its_file_removed(world, bucket, settings):
    """A worker that died between storing the PDF and marking the run done: the sweeper
    removes the object, so a failed run has no file in the bucket either."""
    import datetime

    from reporting import tasks
    from reporting.models import ReportRun

    name, s3 = bucket
    run = ReportRun.objects.create(
        requested_by=world.users["opslead_city_a"],
        year=YEAR,
        status=ReportStatus.RUNNING,
        claim_token=uuid.uuid4(),
        attempts=1,
        started_at=timezone.now() - datetime.timedelta(minutes=5),
        heartbeat_at=timezone.now()
        - datetime.timedelta(seconds=settings.FJC_REPORT_STALE_SECONDS + 1),
    )
    s3.put_object(Bucket=name, Key=runs.final_name(YEAR, run.pk), Body=b"%PDF-1.7 whole")
    assert tasks.fail_stale_report_runs() == 1
    run.refresh_from_db()
    assert run.status == ReportStatus.FAILED
    assert keys(s3, name) == []


def test_the_private_bucket_command_makes_the_bucket_once(s3_endpoint, settings, monkeypatch):
    """The "scale" compose profile's one-shot ``bucket`` service."""
    from io import StringIO

    from django.core.management import CommandError, call_command

    monkeypatch.setenv("FJC_S3_ENDPOINT_URL", s3_endpoint)
    monkeypatch.setenv("FJC_S3_REGION", "eu-west-1")
    for key, value in KEYS.items():
        monkeypatch.setenv(key, value)
    name = f"fjc-new-{uuid.uuid4().hex[:12]}"
    settings.STORAGES = {**settings.STORAGES, "default": private_storage(name)}
    out = StringIO()
    call_command("private_bucket", stdout=out)
    call_command("private_bucket", stdout=out)
    assert out.getvalue().splitlines() == [
        f"The bucket {name} was created.",
        f"The bucket {name} exists.",
    ]
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="eu-west-1",
        aws_access_key_id=KEYS["FJC_S3_ACCESS_KEY"],
        aws_secret_access_key=KEYS["FJC_S3_SECRET_KEY"],
    )
    assert client.get_bucket_location(Bucket=name)["LocationConstraint"] == "eu-west-1"

    settings.STORAGES = {**settings.STORAGES, "default": private_storage("")}
    with pytest.raises(CommandError):
        call_command("private_bucket")


def test_no_code_or_template_hands_out_a_private_files_address():
    """A private file reaches a user only through its access-checked, audited download view:
    no template or module asks a file or the storage for its URL (on a bucket that would be a
    signed link to the object, bypassing the checks and the audit trail)."""
    import re

    root = Path(__file__).resolve().parent.parent
    apps = ["access", "accounts", "cases", "common", "consultations", "fjc", "notices"]
    apps += ["partners", "reporting", "risk", "templates"]
    pattern = re.compile(r"\b(?:file|document|signed_document|storage|default_storage)\.url\b")
    found = [
        f"{path.relative_to(root)}:{number}"
        for app in apps
        for path in (root / app).rglob("*")
        if path.suffix in {".py", ".html", ".txt"}
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(text)
    ]
    assert found == []
