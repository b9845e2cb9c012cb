"""Uploaded documents: an allow-list by content (magic bytes, the parts of an office
document), a size limit and Dutch messages (issue 13, part 6). Applied to the partner
agreements here; the signed authorisations in tests/test_legal_bases.py."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from common.uploads import check_upload, sniff
from partners.models import Agreement


def _zip(members: dict[str, bytes], *, first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
DOCM = _zip(
    {
        "[Content_Types].xml": b"<Types/>",
        "word/document.xml": b"<w:document/>",
        "word/vbaProject.bin": b"macro",
    }
)
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
ODS = _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"})
ODP = _zip({"mimetype": b"application/vnd.oasis.opendocument.presentation"})
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 20

ACCEPTED = [
    ("akkoord.pdf", b"%PDF-1.7 x"),
    ("scan.png", PNG),
    ("scan.jpg", JPEG),
    ("scan.JPEG", JPEG),
    ("akkoord.docx", DOCX),
    ("akkoord.xlsx", _xlsx()),
    ("akkoord.odt", ODT),
    ("akkoord.ods", ODS),
]
REFUSED = [
    ("program.pdf", b"MZ\x90\x00\x03"),  # a Windows program named as a PDF
    ("page.pdf", b"<html><script>alert(1)</script>"),
    ("macro.docx", DOCM),  # a macro-enabled Word document
    ("slides.odt", ODP),  # another OpenDocument kind
    ("archive.docx", _zip({"readme.txt": b"hi"})),  # a ZIP that is no office document
    ("broken.docx", b"PK\x03\x04 not really a zip"),
    ("akkoord.docx", b"%PDF-1.7 x"),  # a PDF named as a Word document
    ("akkoord", b"%PDF-1.7 x"),  # no extension
    ("image.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
]


@pytest.mark.parametrize(("name", "content"), ACCEPTED, ids=[n for n, _c in ACCEPTED])
def test_allowed_kinds_are_recognised_by_their_content(name, content):
    assert check_upload(SimpleUploadedFile(name, content), field="document")


@pytest.mark.parametrize(("name", "content"), REFUSED, ids=[n for n, _c in REFUSED])
def test_anything_else_is_refused_whatever_its_name_or_content_type(name, content):
    # The browser's content type is the uploader's claim: it plays no part.
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        check_upload(upload, field="document")
    assert "document" in error.value.error_dict


def test_sniffing_leaves_the_file_at_its_start():
    file = io.BytesIO(DOCX)
    file.seek(5)
    sniff(file)
    assert file.read() == DOCX


def test_the_size_limit_is_a_setting(settings):
    settings.FJC_UPLOAD_MAX_BYTES = 100
    check_upload(SimpleUploadedFile("a.pdf", b"%PDF-" + b"x" * 95), field="document")
    with translation.override("nl"), pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile("a.pdf", b"%PDF-" + b"x" * 96), field="document")
    assert "te groot" in error.value.message_dict["document"][0]


def test_messages_are_dutch():
    with translation.override("nl"), pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile("a.exe", b"MZ"), field="document")
    assert "niet aanvaard" in error.value.message_dict["document"][0]
    with translation.override("nl"), pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile("a.docx", b"%PDF-1.7"), field="document")
    assert "extensie .pdf" in error.value.message_dict["document"][0]


@pytest.mark.django_db
def test_an_agreement_document_must_pass_the_check(world, client, settings):
    org = world.orgs["partner_b"]
    client.force_login(world.users["netcoord_vo_a"])
    url = reverse("partners:agreement_add", kwargs={"organisation_pk": org.pk})
    data = {"kind": "cooperation", "title": "Akkoord", "signed_on": "2026-01-15"}
    response = client.post(
        url, data | {"document": SimpleUploadedFile("akkoord.pdf", b"MZ\x90 program")}
    )
    assert response.status_code == 200
    assert "document" in response.context["form"].errors
    assert not Agreement.objects.filter(title="Akkoord").exists()
    settings.FJC_UPLOAD_MAX_BYTES = 10
    response = client.post(url, data | {"document": SimpleUploadedFile("a.pdf", b"%PDF-1.7 xx")})
    assert "document" in response.context["form"].errors
    settings.FJC_UPLOAD_MAX_BYTES = 10_000
    response = client.post(url, data | {"document": SimpleUploadedFile("a.odt", ODT)})
    assert response.status_code == 302
    agreement = Agreement.objects.get(title="Akkoord")
    # Editing it without a new file keeps the stored one and checks nothing again.
    response = client.post(
        reverse("partners:agreement_edit", kwargs={"agreement_pk": agreement.pk}),
        data | {"title": "Akkoord 2", "version": agreement.version},
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.document.name or "").endswith(".odt")
