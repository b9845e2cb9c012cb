"""Audit purposes are stored as English codes and shown in Dutch (issue 16, deliverable 4).

The codes are collected from the code itself, so a new one cannot slip past: every view's
``audit_purpose`` (walking the URL configuration), and every string literal given as
``purpose=``/``reason=`` to a call, assigned to ``audit_purpose`` or to a module constant named
``*PURPOSE`` anywhere in the apps (read with ``ast``). A purpose built at run time (an f-string)
must be listed in ``BUILT`` with the values it can take.
"""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from access.audit import record
from access.models import AuditAction
from access.policy import Action
from access.purposes import purpose_label
from accounts.roles import RoleCode
from cases.models import BreakGlassVerdict

from .factories import make_user
from .urlwalk import walk

ROOT = Path(__file__).resolve().parent.parent
APPS = ("accounts", "partners", "access", "cases", "risk", "consultations", "reporting", "fjc")
# Demo data writes Dutch free text as reasons, like a person would.
NOT_CODE = ("fjc/demo.py", "fjc/demo_year.py")

# Each f-string that can reach ``purpose=`` and every value it takes.
BUILT = {
    "f'{self.action} not permitted'": [f"{action} not permitted" for action in Action],
    "f'{action} not permitted'": [f"{action} not permitted" for action in Action],
    "f'emergency access reviewed: {verdict}'": [
        f"emergency access reviewed: {verdict}" for verdict in BreakGlassVerdict.values
    ],
    # ``kind`` is "agenda" or "minutes": the two document views' own audit_purpose.
    "f'consultation {self.kind} pdf'": ["consultation agenda pdf", "consultation minutes pdf"],
    # Any view's audit_purpose (all checked below) followed by " not permitted".
    "f'{self.audit_purpose} not permitted'": ["confirm legal basis not permitted"],
}

# Codes that read the same in Dutch.
SAME_IN_DUTCH: frozenset[str] = frozenset()


def _sources() -> list[Path]:
    files = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or relative in NOT_CODE:
                continue
            files.append(path)
    return files


def _strings_in(node: ast.AST, where: str, found: dict[str, str], built: set[str]) -> None:
    """String literals of an expression (both arms of ``a if c else b``); f-strings aside."""
    if isinstance(node, ast.JoinedStr):
        built.add(ast.unparse(node))
        return
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if node.value:
            found.setdefault(node.value, where)
        return
    for child in ast.iter_child_nodes(node):
        _strings_in(child, where, found, built)


def stored_codes() -> tuple[dict[str, str], set[str]]:
    """Every purpose code the apps can write, with where it was found; and the f-strings."""
    found: dict[str, str] = {}
    built: set[str] = set()
    for path in _sources():
        relative = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(), filename=relative)
        for node in ast.walk(tree):
            where = f"{relative}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg in ("purpose", "reason", "audit_purpose"):
                        _strings_in(keyword.value, where, found, built)
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = [t.id for t in targets if isinstance(t, ast.Name)]
                if node.value is not None and any(
                    name == "audit_purpose" or name.endswith("PURPOSE") for name in names
                ):
                    _strings_in(node.value, where, found, built)
    for route in walk():
        purpose = getattr(route.view_class, "audit_purpose", "")
        if purpose:
            found.setdefault(purpose, route.name)
    for values in BUILT.values():
        for value in values:
            found.setdefault(value, "built at run time")
    return found, built


def test_the_collection_finds_the_known_codes():
    """The net itself: codes of each kind are found (a view, a grant reason, a constant)."""
    found, _ = stored_codes()
    for code in (
        "case steering page",  # a view's audit_purpose
        "co-director",  # a grant's reason
        "owner",
        "data-subject access report",  # a module constant
        "out of scope",  # a denial
        "case search",  # one arm of a conditional
        "only the case director decides",  # risk's own denial
    ):
        assert code in found, code


def test_every_run_time_purpose_is_listed():
    _, built = stored_codes()
    assert built <= set(BUILT), (
        f"list these f-strings and their values in BUILT: {built - set(BUILT)}"
    )


def test_every_stored_code_has_its_dutch():
    found, _ = stored_codes()
    with translation.override("nl"):
        missing = {
            code: where
            for code, where in sorted(found.items())
            if code not in SAME_IN_DUTCH and purpose_label(code) == code
        }
    assert not missing, (
        "append the Dutch of these audit purposes to locale/nl/LC_MESSAGES/django.po: "
        + "; ".join(f"{code!r} ({where})" for code, where in missing.items())
    )


def test_free_text_is_shown_as_written():
    with translation.override("nl"):
        assert purpose_label("") == ""
        assert purpose_label("Vermoeden van acuut gevaar voor het kind") == (
            "Vermoeden van acuut gevaar voor het kind"
        )
        # Only a known code is put in a sentence: free text ending like a code stays as is.
        assert purpose_label("iets not permitted") == "iets not permitted"
        assert purpose_label("case director") != "case director"
        assert purpose_label("add journal entry not permitted") == (
            f"{purpose_label('add journal entry')} niet toegestaan"
        )
    with translation.override("en"):
        assert purpose_label("case director") == "case director"


@pytest.mark.django_db
def test_the_trail_and_the_report_show_dutch_purposes(world, client):
    auditor = make_user("dpo_words", world.orgs["vo_a"], RoleCode.AUDITOR)
    case = world.cases["city_a"]
    codes = ["co-director", "case steering page", "add journal entry", "owner"]
    written = "Kind in acuut gevaar, ouders onbereikbaar"
    for code in [*codes, written]:
        record(user=world.users["director_city_a"], action=AuditAction.VIEW, obj=case, purpose=code)
    client.force_login(auditor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    content = client.get(reverse("reporting:audit_trail"), {"case_id": case.pk}).content.decode()
    with translation.override("nl"):
        labels = [purpose_label(code) for code in codes]
    for code, label in zip(codes, labels, strict=True):
        assert label != code
        assert f"<td>{label}</td>" in content
        assert f"<td>{code}</td>" not in content
    assert f"<td>{written}</td>" in content

    from reporting.subject_access import report_html

    party = world.children["city_a"]["party_pk"]
    with translation.override("nl"):
        html = report_html(person=party.person, case_ids=None, requested_by=auditor)
    assert all(f"<td>{label}</td>" in html for label in labels)
    assert not any(f"<td>{code}</td>" in html for code in codes)
