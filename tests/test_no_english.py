"""No English in the Dutch interface: pages, forms with errors, documents, exports and the admin.

How it works: while a test renders in Dutch, every translation lookup goes through
:class:`Lookups`, which wraps Django's ``DjangoTranslation.gettext``/``ngettext`` (``pgettext``
and ``npgettext`` end there too, with the context glued in front). A msgid that the Dutch
catalogue (ours, Django's, every app's, merged) does not hold comes back as the English source:
it is recorded, with the first page where it was seen. Strings that are the same in both
languages are allowed by a short, explicit list. A second net scans the rendered output for
English that never passed through a lookup (a hard-coded word, a ``None``).

Run after adding pages or strings: ``./scripts/test.sh tests/test_no_english.py``; each
failure names the msgid and where it was met, so its Dutch can be appended to
``locale/nl/LC_MESSAGES/django.po``.
"""

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation.trans_real import CONTEXT_SEPARATOR, DjangoTranslation

from .access_rules import CASE_KEYS, EXPECTED
from .conftest import USERS
from .test_form_fuzz import SKIPPED, _own_forms
from .test_permission_matrix import SPECS, _area, _expected, _url

# The same word in Dutch and English: looked up, and rightly left as it is.
SAME_IN_BOTH = frozenset(
    {
        "E-mail",
        "PDF",
        "CSV",
        "XLSX",
        "Status",
        "Sector",
        "FTE",
        "Parket",
        "CAW",
        "OK",
        "URL",
        "ID",
        "Id",
        "id",
        "Dutch",  # the language switcher names each language in its own language
        "English",
    }
)

# English that reaches a page without a lookup: hard-coded words, a Python None.
LEFTOVERS = re.compile(
    r"(?<![\w-])(None|True|False|Yes|No|Today|Now|Filter by|Select an option|"
    r"Show all|Clear|Search|Submit|Save|Cancel|Delete|Back|Next|Previous|"
    r"January|February|March|April|May|June|July|August|September|October|"
    r"November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"a\.m\.|p\.m\.|midnight|noon)(?![\w-])"
)

# A cell or row of the admin showing a field kept in English (``name_en``, ``label_en``).
_ENGLISH_FIELD = re.compile(
    r'<(td|th|div|p)\b[^>]*class="[^"]*\bfield-\w+_en\b[^"]*"[^>]*>.*?</\1>', re.S
)
_TAG = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S)

# Apps whose models are ours: their verbose names and choice labels are user-facing.
OUR_APPS = ("accounts", "partners", "access", "cases", "risk", "consultations", "reporting")


class Lookups:
    """Msgids looked up in Dutch that the Dutch catalogue lacks, with where they were met."""

    def __init__(self) -> None:
        self.missing: dict[str, str] = {}
        self.where = ""

    def _miss(self, key: str) -> None:
        shown = key.replace(CONTEXT_SEPARATOR, " | ")
        if key and key not in SAME_IN_BOTH and key.strip():
            self.missing.setdefault(shown, self.where)

    @contextmanager
    def watching(self, monkeypatch) -> Iterator["Lookups"]:
        gettext, ngettext = DjangoTranslation.gettext, DjangoTranslation.ngettext
        lookups = self

        def dutch(t: DjangoTranslation) -> bool:
            return t.language().startswith("nl")

        def already_dutch(t: DjangoTranslation, message: str) -> bool:
            # Django looks some texts up twice (get_available_languages translates the
            # lazily translated language names again): a Dutch text looked up is not English.
            texts = t.__dict__.get("_dutch_texts")
            if texts is None:
                catalogue = t._catalog  # type: ignore[attr-defined]
                texts = {v for _k, v in catalogue.items() if isinstance(v, str)}
                t.__dict__["_dutch_texts"] = texts
            return message in texts

        def watched_gettext(self, message):
            if dutch(self) and message not in self._catalog and not already_dutch(self, message):
                lookups._miss(message)
            return gettext(self, message)

        def watched_ngettext(self, msgid1, msgid2, n):
            if dutch(self) and (msgid1, 0) not in self._catalog:
                lookups._miss(msgid1)
            return ngettext(self, msgid1, msgid2, n)

        monkeypatch.setattr(DjangoTranslation, "gettext", watched_gettext)
        monkeypatch.setattr(DjangoTranslation, "ngettext", watched_ngettext)
        yield self

    def report(self) -> str:
        return "\n".join(
            f"{msgid!r}  (first at {where})" for msgid, where in sorted(self.missing.items())
        )


@pytest.fixture
def lookups(monkeypatch):
    with translation.override("nl-be"), Lookups().watching(monkeypatch) as watched:
        yield watched


def leftovers(html: str) -> set[str]:
    """Known English words in the visible text (tags, scripts and styles left out)."""
    return set(LEFTOVERS.findall(_TAG.sub(" ", html)))


def _visitors(name: str) -> Iterator[tuple[str, str | None]]:
    """One user per role (and each case key for case pages) who may open the page."""
    spec = SPECS[name]
    case_keys = CASE_KEYS if spec.kind.startswith("case_") and spec.kind != "case_work" else [None]
    seen: set[tuple[tuple[str, ...], str | None]] = set()
    for username in EXPECTED:
        roles = tuple(sorted(USERS[username][1]))
        for case_key in case_keys:
            if (roles, case_key) in seen:
                continue
            if _expected(username, spec, case_key) == spec.ok == 200:
                seen.add((roles, case_key))
                yield username, case_key


def _pages() -> list[str]:
    return [
        name
        for name, spec in SPECS.items()
        if spec.method == "get" and spec.kind != "public" and name not in SKIPPED
    ]


AREAS = sorted({_area(name) for name in _pages()})


def _rolled_back(client, method: str, url: str, data: dict | None = None):
    cookies = SimpleCookie(client.cookies)
    with transaction.atomic():
        response = getattr(client, method)(url, data or {})
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


def _refusing(form) -> Iterator[dict]:
    """Two fillings a form refuses: nothing at all, and values of the wrong kind."""
    hidden = {f.name: f.value for f in form.fields if f.kind == "hidden"}
    yield hidden
    wrong = dict(hidden)
    for f in form.fields:
        if f.kind in ("date", "datetime-local", "number", "email", "time"):
            wrong[f.name] = "x"
        elif f.kind in ("select", "radio"):
            wrong[f.name] = "999999999"
    yield wrong


def _body(response) -> str:
    content = b"".join(response) if response.streaming else response.content
    return content.decode("utf-8-sig", errors="replace")


@pytest.mark.django_db
@pytest.mark.parametrize("area", AREAS)
def test_every_page_and_form_error_is_dutch(world, client, lookups, area):
    """Every GET page, as each role that may open it, and its forms refused with errors."""
    english: dict[str, str] = {}
    for name in _pages():
        if _area(name) != area:
            continue
        for username, case_key in _visitors(name):
            client.force_login(world.users[username])
            url = _url(world, name, case_key)
            lookups.where = f"{name} as {username}"
            response = _rolled_back(client, "get", url)
            assert response.status_code == 200, f"{name} as {username}: {response.status_code}"
            body = _body(response)
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            for word in leftovers(body):
                english.setdefault(word, lookups.where)
            for form in _own_forms(body, url):
                lookups.where = f"{name} as {username} (refused form)"
                for data in _refusing(form):
                    refused = _rolled_back(client, "post", url, data)
                    if refused.status_code == 200:
                        for word in leftovers(_body(refused)):
                            english.setdefault(word, lookups.where)
    assert not lookups.missing, "Not translated into Dutch:\n" + lookups.report()
    assert not english, f"English words on Dutch pages: {english}"


def _model_fields() -> Iterator[tuple[type[models.Model], models.Field]]:
    for app in OUR_APPS:
        for model in apps.get_app_config(app).get_models():
            for f in model._meta.get_fields():
                if isinstance(f, models.Field) and not f.auto_created:
                    yield model, f


def test_every_verbose_name_and_choice_label_is_dutch(lookups):
    for model, f in _model_fields():
        lookups.where = f"{model._meta.label}.{f.name}"
        str(model._meta.verbose_name)
        str(model._meta.verbose_name_plural)
        if model.__module__.startswith("simple_history") or model.__name__.startswith("Historical"):
            continue
        str(f.verbose_name)
        for _value, label in f.flatchoices:
            str(label)
    assert not lookups.missing, "Not translated into Dutch:\n" + lookups.report()


def test_the_blank_choice_of_every_dropdown_is_dutch(lookups):
    from django.db.models.fields import BLANK_CHOICE_LABEL

    assert str(BLANK_CHOICE_LABEL) != "- Select an option -"
    assert not lookups.missing, lookups.report()


@pytest.mark.django_db
def test_the_admin_is_dutch(world, client, lookups):
    """The index, every changelist (with its filters, and one filter applied), every add form,
    the first change form of each model, and the add forms refused."""
    client.force_login(world.users["superuser"])
    english: dict[str, str] = {}

    def visit(url: str, method: str = "get", data: dict | None = None) -> None:
        lookups.where = f"admin {url}"
        response = _rolled_back(client, method, url, data)
        if response.status_code == 200:
            # Configuration is kept in both languages: the English name of a closing reason
            # or an answer ("Yes") is data, not a leftover.
            body = _ENGLISH_FIELD.sub(" ", _body(response))
            for word in leftovers(body):
                english.setdefault(word, lookups.where)

    visit(reverse("admin:index"))
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        visit(changelist)
        for list_filter in model_admin.list_filter:
            field_name = list_filter if isinstance(list_filter, str) else None
            if field_name:
                visit(f"{changelist}?{field_name}__isnull=True")
        if model_admin.has_add_permission(_request_of(world.users["superuser"])):
            add = reverse(f"admin:{meta.app_label}_{meta.model_name}_add")
            visit(add)
            visit(add, "post", {})
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            visit(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk]))
    assert not lookups.missing, "Not translated into Dutch:\n" + lookups.report()
    assert not english, f"English words in the Dutch admin: {english}"


def _request_of(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request


@pytest.mark.django_db
def test_the_documents_and_exports_are_dutch(world, client, lookups, monkeypatch):
    """The annual report's HTML, its CSV and XLSX (sheet names too), the consultation's agenda
    and minutes, a data-subject report and the case list's CSV."""
    from django.utils import timezone
    from openpyxl import load_workbook

    from reporting.exports import table_csv, tables_xlsx
    from reporting.figures import annual_figures
    from reporting.pdf import render_chapter, report_html
    from reporting.subject_access import report_html as subject_html

    texts: dict[str, str] = {}
    lookups.where = "annual report"
    year = timezone.localdate().year  # the world's cases are opened this year
    chapters = annual_figures(year)
    rendered = [render_chapter(chapter, i) for i, chapter in enumerate(chapters, start=1)]
    texts["annual report"] = report_html(chapters=rendered, year=year, made_at=timezone.now())
    tables = [table for chapter in chapters for table in chapter.tables]
    lookups.where = "annual report CSV"
    texts["annual CSV"] = "\n".join(table_csv(table) for table in tables)
    lookups.where = "annual report XLSX"
    workbook = load_workbook(io.BytesIO(tables_xlsx(tables, heading="Jaarverslag")))
    texts["XLSX sheet names"] = "\n".join(workbook.sheetnames)
    texts["XLSX cells"] = "\n".join(
        str(cell.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    )

    lookups.where = "data-subject report"
    party = world.children["city_a"]["party_pk"]
    texts["data-subject report"] = subject_html(
        person=party.person, case_ids=None, requested_by=world.users["superuser"]
    )

    # The network dashboard's spreadsheet, as its page offers it: sheet names in Dutch.
    client.force_login(world.users["opslead_city_a"])
    lookups.where = "reporting:dashboard XLSX"
    response = _rolled_back(client, "get", reverse("reporting:dashboard") + "?format=xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    texts["dashboard sheet names"] = "\n".join(workbook.sheetnames)
    texts["dashboard title"] = workbook.properties.title or ""
    assert not {name for name in workbook.sheetnames if re.search(r"[\[\]:*?/\\']", name)}
    assert all(len(name) <= 31 for name in workbook.sheetnames)
    # Named at render time, in the reader's language: the English workbook differs.
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    with translation.override("en"):
        response = _rolled_back(client, "get", reverse("reporting:dashboard") + "?format=xlsx")
    english_names = load_workbook(io.BytesIO(response.content)).sheetnames
    assert len(english_names) == len(workbook.sheetnames)
    assert set(english_names) != set(workbook.sheetnames)
    client.post(reverse("set_language"), {"language": "nl-be", "next": "/"})

    client.force_login(world.users["director_city_a"])
    lookups.where = "cases:export"
    response = _rolled_back(client, "get", _url(world, "cases:export", "city_a"))
    assert response.status_code == 200
    texts["cases:export"] = _body(response)
    for name in ("consultations:agenda_pdf", "consultations:minutes_pdf"):
        lookups.where = name
        texts[name] = _document_html(client, monkeypatch, world, name)
        assert texts[name], name

    english = {what: found for what, text in texts.items() if (found := leftovers(text))}
    assert not lookups.missing, "Not translated into Dutch:\n" + lookups.report()
    assert not english, f"English words in Dutch documents: {english}"


def _document_html(client, monkeypatch, world, name: str) -> str:
    """The HTML a consultation's PDF is made from (no PDF made: only the HTML is read)."""
    from consultations.views import documents

    seen: dict[str, str] = {}

    def keep(html: str) -> bytes:
        seen["html"] = html
        return b"%PDF-"

    monkeypatch.setattr(documents, "render_pdf", keep)
    _rolled_back(client, "get", _url(world, name, "city_a"))
    return seen.get("html", "")


@pytest.mark.django_db
def test_the_admin_date_widgets_are_dutch(world, client):
    """The admin's calendar and clock ("Today", "Now", the time-zone note) are translated by
    its JavaScript catalogue: every message of Django's admin scripts has a Dutch text."""
    import json
    from pathlib import Path

    import django
    import polib

    source = Path(django.__file__).parent / "contrib/admin/locale/nl/LC_MESSAGES/djangojs.po"
    msgids = {
        f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        for entry in polib.pofile(str(source))
    }
    client.force_login(world.users["superuser"])
    script = client.get(reverse("admin:jsi18n")).content.decode()
    found = re.search(r"const newcatalog = (\{.*?\});\n", script, re.S)
    assert found, script[:200]
    catalogue = json.loads(found.group(1))
    assert not sorted(msgids - set(catalogue) - {""})
    assert catalogue["Today (%(date)s)"] == "Vandaag (%(date)s)"


@pytest.mark.django_db
def test_the_pages_without_a_session_are_dutch(client, lookups):
    """The sign-in page (and its refusal), an invitation link that is no longer valid, and the
    error page of an address that does not exist."""
    english: dict[str, str] = {}
    pages = [
        ("get", reverse("login"), None),
        ("post", reverse("login"), {"username": "", "password": ""}),
        ("get", reverse("accounts:invitation_set_password"), None),
        ("get", "/no-such-page/", None),
    ]
    for method, url, data in pages:
        lookups.where = f"{method.upper()} {url} (anonymous)"
        response = _rolled_back(client, method, url, data)
        assert response.status_code in (200, 404), (url, response.status_code)
        for word in leftovers(_body(response)):
            english.setdefault(word, lookups.where)
    assert not lookups.missing, "Not translated into Dutch:\n" + lookups.report()
    assert not english, f"English words on Dutch pages: {english}"


@pytest.mark.django_db
def test_the_letters_and_their_page_are_dutch(world, client, lookups, monkeypatch):
    """Each letter's page (the SPECS walk opens only the first letter) with its form refused,
    and the HTML each letter's PDF is made from (no PDF made: only the HTML is read)."""
    import datetime

    from django.utils import timezone

    from cases.models import ClosingReason
    from cases.services import case_close, letters

    case = world.cases["city_a"]
    client.force_login(world.users["director_city_a"])
    english: dict[str, str] = {}
    base = _url(world, "cases:letter_create", "city_a")
    for code in letters.LETTERS:
        url = f"{base}?letter={code}"
        lookups.where = f"cases:letter_create {code}"
        response = _rolled_back(client, "get", url)
        assert response.status_code == 200
        for data in ({}, {"addressee": "999999999", "referral": "999999999", "day": "x"}):
            refused = _rolled_back(client, "post", url, data)
            assert refused.status_code == 200
            for word in leftovers(_body(response)) | leftovers(_body(refused)):
                english.setdefault(word, lookups.where)

    seen: list[str] = []

    def keep(html: str) -> bytes:
        seen.append(html)
        return b"%PDF-1.7\n"

    monkeypatch.setattr(letters, "render_pdf", keep)
    party = world.children["city_a"]["party_pk"]
    fields = {
        "meeting": "consultation",
        "day": timezone.localdate() + datetime.timedelta(days=1),
        "time": datetime.time(9, 30),
        "place": "Kerkstraat 1",
        "agreed_information": "Afgesproken.",
    }
    with transaction.atomic():
        for code in ("invitation", "information", "referral"):
            lookups.where = f"letter {code}"
            letters.letter_create(
                case=case,
                by=case.case_director,
                letter=code,
                addressee=party,
                referral=world.children["city_a"]["referral_pk"],
                fields=fields,
            )
        closed = case_close(
            case=case,
            by=case.case_director,
            closing_reason=ClosingReason.objects.filter(is_active=True).first(),
            closed_on=timezone.localdate(),
        )
        lookups.where = "letter closing"
        letters.letter_create(
            case=closed, by=case.case_director, letter="closing", addressee=party, fields=fields
        )
        transaction.set_rollback(True)
    assert len(seen) == 4
    for html in seen:
        for word in leftovers(html):
            english.setdefault(word, "a letter")
    assert not lookups.missing, "Not translated into Dutch:\n" + lookups.report()
    assert not english, f"English words in the letters: {english}"
