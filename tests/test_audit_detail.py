"""The audit trail shows each row's detail in Dutch: labelled parts, coded values by their
label (``reporting.audit_detail``), while the stored JSON stays as written."""

import ast
import pathlib

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from access.account_events import PLAIN_FIELDS, TRACKED_FIELDS
from access.audit import record
from access.models import AuditAction, AuditEvent
from accounts.roles import RoleCode
from reporting.audit_detail import CODED, FACTOR_CHANGES, LABELS, detail_parts
from reporting.audit_trail import AuditEventFilter

from .factories import make_user

ROOT = pathlib.Path(settings.BASE_DIR)
SKIPPED = {".venv", "tests", "migrations", "node_modules", "var"}
# Keys written by helpers rather than in a dict literal next to ``detail=``.
INDIRECT_KEYS = {
    *PLAIN_FIELDS,
    *TRACKED_FIELDS,
    "usable_password",  # access.account_events: a password set or removed
    "roles",  # access.account_events: the m2m receivers, by field name
    "groups",
    "source",  # access.login_events._source
    "format",  # reporting.views.dashboard: the export's own detail
    "table",
    *AuditEventFilter.base_filters,  # reporting.audit_trail.applied_filters
}


def _literal_keys(node: ast.AST) -> set[str]:
    keys: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Dict):
            keys |= {
                k.value
                for k in child.keys
                if isinstance(k, ast.Constant) and isinstance(k.value, str)
            }
    return keys


def written_keys() -> set[str]:
    """Every key of a ``detail={...}`` literal in the code base, nested ones included."""
    keys: set[str] = set()
    for path in ROOT.rglob("*.py"):
        if SKIPPED & set(path.relative_to(ROOT).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "detail":
                keys |= _literal_keys(node.value)
    return keys


def test_every_key_the_code_writes_has_a_label():
    keys = written_keys() | INDIRECT_KEYS
    assert len(keys) > 40  # the scan found the code base
    # "id"/"name" are an organisation's, shown as its name; "old"/"new" as "before → after".
    assert keys - set(LABELS) - {"id", "name"} == set()


def test_every_label_and_code_has_its_dutch():
    labels = [*LABELS.values(), *FACTOR_CHANGES.values()]
    with translation.override("en"):
        english = [str(label) for label in labels]
    with translation.override("nl"):
        dutch = [str(label) for label in labels]
    assert [e for e, d in zip(english, dutch, strict=True) if e == d] == []


def test_parts_are_labelled_and_codes_translated():
    detail = {
        "share": 7,
        "ground": "consent",
        "actions": ["view"],
        "pending": True,
        "is_active": {"old": True, "new": False},
        "organisation": {"old": None, "new": {"id": 3, "name": "CAW Alfa"}},
        "change": "totp_enrolled",
        "reason": "agenda item added",
        "unknown_key": "kept",
    }
    with translation.override("nl"):
        parts = [(p.label, p.value) for p in detail_parts(detail)]
    assert parts == [
        ("deling", "7"),
        ("grond", "Toestemming van de cliënt"),
        ("rechten", "mag bekijken"),
        ("in afwachting", "ja"),
        ("actief", "ja → nee"),
        ("organisatie", "— → CAW Alfa"),
        ("wijziging", "authenticator-app ingesteld"),
        ("reden", "agendapunt toegevoegd"),
        ("unknown_key", "kept"),
    ]
    assert detail_parts(None) == detail_parts({}) == []


def test_coded_keys_are_labelled_keys():
    assert set(CODED) <= set(LABELS)


@pytest.mark.django_db
def test_the_trail_page_shows_the_detail_in_dutch_and_stores_it_unchanged(world, client):
    dpo = make_user("dpo_detail", world.orgs["vo_a"], RoleCode.AUDITOR)
    stored = {"verdict": "justified", "break_glass": 5}
    event = record(
        user=world.users["director_city_a"],
        action=AuditAction.VIEW,
        object_type="cases.case",
        purpose="audit detail test",
        detail=stored,
    )
    client.force_login(dpo)
    response = client.get(reverse("reporting:audit_trail"), HTTP_ACCEPT_LANGUAGE="nl")
    html = response.content.decode()
    assert "noodtoegang: 5" in html
    assert '"verdict"' not in html
    assert "oordeel: Gerechtvaardigd" in html
    assert AuditEvent.objects.get(pk=event.pk).detail == stored
