"""Documents on a case (issue 17, part 7): upload by the case team with the allow-list, the
size limit and content sniffing; private storage; the audited download and its headers; who
sees what (confidential and removed documents are the team's); versions; removal."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from access.models import AuditAction, AuditEvent
from cases.models import CaseDocument, DocumentKind, DocumentVersion
from cases.services.documents import document_add, document_add_version, document_remove
from common.downloads import ascii_filename, content_disposition
from common.views import CONFIRM_FIELD, CONFIRM_VALUE

from .factories import make_case

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% a court decision\n"


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<w:document/>")
    return buffer.getvalue()


def url(name, case, **kwargs):
    return reverse(f"cases:{name}", kwargs={"pk": case.pk, **kwargs})


def download_url(document, version=None):
    base = url("document_download", document.case, document_pk=document.pk)
    return f"{base}?version={version}" if version is not None else base


def add(case, *, confidential=False, name="beslissing.pdf", content=PDF, title="Vonnis"):
    return document_add(
        case=case,
        by=case.case_director,
        title=title,
        kind=DocumentKind.COURT_DECISION,
        confidential=confidential,
        upload=SimpleUploadedFile(name, content),
    )


def stored_files(settings) -> set[Path]:
    root = Path(settings.MEDIA_ROOT) / "case-documents"
    return set(root.iterdir()) if root.exists() else set()


def body(response) -> bytes:
    return b"".join(response.streaming_content)


# --- upload ---


def test_the_case_team_uploads_a_document_into_private_storage(world, client, settings):
    case = world.cases["city_a"]
    client.force_login(world.users["director_city_a"])
    response = client.post(
        url("document_add", case),
        {
            "title": "Toestemming Jan",
            "kind": DocumentKind.CONSENT_FORM,
            "confidential": "on",
            "file": SimpleUploadedFile("Toestemming Jan Peeters.docx", _docx()),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url("detail", case) + "#documents-heading"
    document = CaseDocument.objects.get(case=case, title="Toestemming Jan")
    assert document.confidential and document.kind == DocumentKind.CONSENT_FORM
    version = document.versions.get()
    assert version.number == 1
    assert version.original_name == "Toestemming Jan Peeters.docx"
    # The type is what the content showed, and the stored name tells nothing of the client's.
    assert version.content_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    stored = version.file.name or ""
    assert stored.startswith("case-documents/")
    assert stored.endswith(".docx")
    assert "Peeters" not in stored
    assert Path(version.file.path).resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert not version.file.path.startswith(str(settings.STATIC_ROOT))
    assert len(version.sha256) == 64 and version.size == len(_docx())


DISGUISED = [
    ("vonnis.pdf", b"MZ\x90\x00\x03\x00\x00\x00program"),  # a Windows program named as a PDF
    ("foto.png", b"<html><script>alert(1)</script></html>"),  # a page claiming to be an image
    ("notities.txt", b"plain text"),  # plain text is not on the list
    ("tabel.xlsx", b"PK\x03\x04 not a workbook"),
    ("vonnis.docx", PDF),  # a PDF named as a Word document
]


@pytest.mark.parametrize(("name", "content"), DISGUISED, ids=[n for n, _c in DISGUISED])
def test_a_disguised_or_disallowed_file_is_refused_in_dutch_and_nothing_is_stored(
    world, client, settings, name, content
):
    case = world.cases["city_a"]
    client.force_login(world.users["director_city_a"])
    before = stored_files(settings)
    response = client.post(
        url("document_add", case),
        {
            "title": "Vermomd",
            "kind": DocumentKind.OTHER,
            "file": SimpleUploadedFile(name, content, content_type="application/pdf"),
        },
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert response.status_code == 200
    message = " ".join(response.context["form"].errors["file"])
    assert "niet aanvaard" in message or "extensie" in message
    assert not CaseDocument.objects.filter(title="Vermomd").exists()
    assert stored_files(settings) == before


def test_a_file_over_the_size_limit_is_refused(world, client, settings):
    settings.FJC_DOCUMENT_MAX_MB = 1
    case = world.cases["city_a"]
    client.force_login(world.users["director_city_a"])
    before = stored_files(settings)
    big = PDF + b"x" * (1024 * 1024)
    response = client.post(
        url("document_add", case),
        {"title": "Groot", "kind": DocumentKind.REPORT, "file": SimpleUploadedFile("g.pdf", big)},
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert response.status_code == 200
    assert "te groot" in response.context["form"].errors["file"][0]
    assert not CaseDocument.objects.filter(title="Groot").exists()
    assert stored_files(settings) == before
    # Just under the limit passes.
    fits = PDF + b"x" * (1024 * 1024 - len(PDF))
    response = client.post(
        url("document_add", case),
        {"title": "Past", "kind": DocumentKind.REPORT, "file": SimpleUploadedFile("p.pdf", fits)},
    )
    assert response.status_code == 302


def test_a_reader_through_a_share_cannot_upload(world, client):
    case = world.cases["city_a_shared"]
    client.force_login(world.users["liaison_parket_a"])
    response = client.post(
        url("document_add", case),
        {
            "title": "Van parket",
            "kind": DocumentKind.LETTER,
            "file": SimpleUploadedFile("a.pdf", PDF),
        },
    )
    assert response.status_code == 403
    assert not CaseDocument.objects.filter(title="Van parket").exists()


# --- download ---


def test_the_case_team_downloads_with_safe_headers_and_an_audit_row(world, client):
    case = world.cases["city_a"]
    director = world.users["director_city_a"]
    document = add(case, name="Beslissing “rechtbank” é.pdf")
    client.force_login(director)
    response = client.get(download_url(document))
    assert response.status_code == 200
    assert body(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        'attachment; filename="Beslissing rechtbank e.pdf"; '
        "filename*=UTF-8''Beslissing%20%E2%80%9Crechtbank%E2%80%9D%20%C3%A9.pdf"
    )
    assert "no-store" in response["Cache-Control"]
    row = AuditEvent.objects.filter(
        user=director, action=AuditAction.EXPORT, object_id=str(document.pk)
    ).get()
    assert row.case_id == case.pk
    assert row.object_type == "cases.casedocument"
    assert (row.purpose, row.detail) == ("download case document version", {"version": 1})


def test_the_stored_type_is_served_whatever_the_client_claimed(world, client):
    case = world.cases["city_a"]
    # The browser said text/html; the content is a PNG: the download says image/png.
    document = document_add(
        case=case,
        by=case.case_director,
        title="Foto letsel",
        kind=DocumentKind.OTHER,
        confidential=False,
        upload=SimpleUploadedFile(
            "foto.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, content_type="text/html"
        ),
    )
    client.force_login(world.users["director_city_a"])
    assert client.get(download_url(document))["Content-Type"] == "image/png"


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("director_city_a", 200),
        ("co_director", 200),  # co-directs city A's case: the team
        ("director_city_b", 404),  # another organisation
        ("director_caw_a", 404),
        ("liaison_parket_a", 404),  # reads only the shared case
        ("opslead_city_a", 404),  # same organisation, no case access
        ("admin_city_a", 404),  # administrators never read case content
        ("superuser", 404),
        (None, 302),
    ],
)
def test_who_downloads_a_document_of_a_case(world, client, username, status):
    case = world.cases["city_a"]
    document = add(case)
    if username:
        client.force_login(world.users[username])
    response = client.get(download_url(document))
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("login"))
    if status == 404:
        assert not AuditEvent.objects.filter(
            action=AuditAction.EXPORT, object_id=str(document.pk)
        ).exists()


def test_a_document_is_reached_only_through_its_own_case(world, client):
    document = add(world.cases["city_b"])
    client.force_login(world.users["director_city_a"])
    wrong = reverse(
        "cases:document_download",
        kwargs={"pk": world.cases["city_a"].pk, "document_pk": document.pk},
    )
    assert client.get(wrong).status_code == 404


def test_a_shared_reader_gets_the_non_confidential_documents_only(world, client):
    case = world.cases["city_a_shared"]
    open_document = add(case, title="Open brief")
    secret = add(case, confidential=True, title="Geheim verslag")
    client.force_login(world.users["liaison_parket_a"])
    assert client.get(download_url(open_document)).status_code == 200
    assert client.get(download_url(secret)).status_code == 404
    for page in (url("documents", case), url("detail", case)):
        response = client.get(page)
        assert response.status_code == 200
        assert "Open brief" in response.content.decode()
        assert "Geheim verslag" not in response.content.decode()
    # Nor in the case's history: the title of a confidential document is the team's too.
    assert "Geheim verslag" not in client.get(url("history", case)).content.decode()
    client.force_login(world.users["director_city_a"])
    assert client.get(download_url(secret)).status_code == 200
    assert "Geheim verslag" in client.get(url("documents", case)).content.decode()


def test_a_share_that_does_not_cover_the_whole_file_opens_no_document(world, client):
    from access.parts import ShareScope
    from cases.services import share_create

    from .conftest import whole_file_share

    case = make_case(world.users["director_city_a"])
    document = add(case)
    share_create(
        case=case,
        organisation=world.orgs["parket_b"],
        by=case.case_director,
        terms=whole_file_share(scope=ShareScope.SUMMARY_RISK_JUDICIAL),
    )
    client.force_login(world.users["liaison_parket_b"])
    assert client.get(url("detail", case)).status_code == 200
    assert client.get(download_url(document)).status_code == 404
    assert client.get(url("documents", case)).status_code == 404


# --- versions ---


def test_a_new_upload_makes_a_new_version_and_the_earlier_one_stays(world, client):
    case = world.cases["city_a"]
    document = add(case)
    client.force_login(world.users["director_city_a"])
    # Made once: a zip file holds the time it was made, which may tick between two calls.
    odt = _odt()
    response = client.post(
        url("document_version_add", case, document_pk=document.pk),
        {"file": SimpleUploadedFile("beslissing-v2.odt", odt)},
    )
    assert response.status_code == 302
    assert list(document.versions.values_list("number", flat=True)) == [2, 1]
    latest = client.get(download_url(document))
    assert body(latest) == odt
    assert latest["Content-Type"] == "application/vnd.oasis.opendocument.text"
    assert body(client.get(download_url(document, 1))) == PDF
    assert client.get(download_url(document, 3)).status_code == 404
    assert client.get(download_url(document, "x")).status_code == 404
    page = client.get(url("documents", case)).content.decode()
    assert "beslissing-v2.odt" in page and "beslissing.pdf" in page


def _odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", b"application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", b"<x/>")
    return buffer.getvalue()


def test_a_new_version_is_checked_like_the_first(world, client, settings):
    case = world.cases["city_a"]
    document = add(case)
    client.force_login(world.users["director_city_a"])
    before = stored_files(settings)
    response = client.post(
        url("document_version_add", case, document_pk=document.pk),
        {"file": SimpleUploadedFile("v2.pdf", b"MZ program")},
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert response.status_code == 200
    assert "niet aanvaard" in response.context["form"].errors["file"][0]
    assert document.versions.count() == 1
    assert stored_files(settings) == before


def test_the_service_numbers_versions_and_refuses_another_case(world):
    case, other = world.cases["city_a"], world.cases["city_b"]
    document = add(case)
    second = document_add_version(
        case=case,
        by=case.case_director,
        document=document,
        upload=SimpleUploadedFile("b.pdf", PDF),
    )
    assert second.number == 2
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        document_add_version(
            case=other,
            by=other.case_director,
            document=document,
            upload=SimpleUploadedFile("c.pdf", PDF),
        )
    assert DocumentVersion.objects.filter(document=document).count() == 2


# --- removal ---


def test_removal_asks_first_then_hides_the_document_and_keeps_it_for_the_team(
    world, client, settings
):
    case = world.cases["city_a_shared"]
    document = add(case, title="Verkeerd dossier")
    director = world.users["director_city_a"]
    client.force_login(director)
    remove = url("document_remove", case, document_pk=document.pk)
    question = client.get(remove)
    assert question.status_code == 200
    assert "Verkeerd dossier" in question.content.decode()
    assert client.post(remove).status_code == 200  # without the confirmation: only the question
    assert CaseDocument.objects.get(pk=document.pk).removed_at is None
    response = client.post(remove, {CONFIRM_FIELD: CONFIRM_VALUE})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.is_removed and document.removed_by == director
    # The file stays.
    version = document.versions.get()
    assert Path(version.file.path).exists()
    # Hidden from the steering page's list; under "removed" on the documents page, where the
    # team can still fetch it (the history of the file).
    detail = client.get(url("detail", case)).context["steering"]
    assert document not in detail.documents
    page = client.get(url("documents", case))
    assert document not in page.context["documents"]
    assert document in page.context["removed"]
    assert client.get(download_url(document)).status_code == 200
    # No new version of a removed document.
    assert client.get(url("document_version_add", case, document_pk=document.pk)).status_code == 404
    # The removal is in the case's history.
    history = client.get(url("history", case)).content.decode()
    assert "Verkeerd dossier" in history
    # A reader through a share: gone altogether.
    client.force_login(world.users["liaison_parket_a"])
    assert client.get(download_url(document)).status_code == 404
    assert "Verkeerd dossier" not in client.get(url("documents", case)).content.decode()


def test_removing_twice_changes_nothing_more(world):
    case = world.cases["city_a"]
    document = add(case)
    first = document_remove(case=case, by=case.case_director, document=document)
    again = document_remove(case=case, by=case.case_director, document=document)
    assert again.removed_at == first.removed_at
    assert CaseDocument.history.filter(id=document.pk).count() == 2


# --- the steering page ---


def test_the_steering_page_lists_the_documents_with_a_count(world, client):
    case = make_case(world.users["director_city_a"])
    add(case, title="Eerste")
    add(case, title="Tweede", confidential=True)
    client.force_login(world.users["director_city_a"])
    page = client.get(url("detail", case)).content.decode()
    assert 'id="documents-heading"' in page
    assert "Eerste" in page and "Tweede" in page
    assert "(2)" in page.split('id="documents-heading"')[1].split("</h2>")[0]


# --- the headers, on their own ---


def test_the_fallback_name_is_plain_ascii_and_the_exact_name_is_encoded():
    assert ascii_filename("../../etc/passwd") == "passwd"
    assert ascii_filename('a"b\r\nc.pdf') == "a_b__c.pdf"
    assert ascii_filename("Ærø.pdf") == "r.pdf"
    assert ascii_filename("...") == "document"
    assert len(ascii_filename("x" * 300 + ".pdf")) == 100
    assert ascii_filename("x" * 300 + ".pdf").endswith(".pdf")
    header = content_disposition('brief "1"\r\n.pdf')
    assert "\r" not in header and "\n" not in header
    assert header.startswith("attachment; filename=\"brief _1_.pdf\"; filename*=UTF-8''")


def test_the_documents_page_runs_a_fixed_number_of_queries(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = make_case(world.users["director_city_a"])
    client.force_login(world.users["director_city_a"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("documents", case)).status_code == 200
        return len(ctx.captured_queries)

    add(case, title="Eén")
    gone = add(case, title="Weg")
    document_remove(case=case, by=case.case_director, document=gone)
    few = queries()
    for n in range(3):
        document = add(case, title=f"Nog {n}", confidential=bool(n % 2))
        document_add_version(
            case=case,
            by=case.case_director,
            document=document,
            upload=SimpleUploadedFile("v2.pdf", PDF),
        )
    document_remove(case=case, by=case.case_director, document=document)
    assert queries() == few


def test_the_documents_come_newest_first(world):
    """The counts' GROUP BY left out the model's ordering: the order was the planner's."""
    from cases.selectors.documents import case_documents

    case = make_case(world.users["director_city_a"])
    for title in ("Eerste", "Tweede", "Derde"):
        add(case, title=title)
    listed = case_documents(user=world.users["director_city_a"], case=case)
    assert [document.title for document in listed] == ["Derde", "Tweede", "Eerste"]
