"""Asking first (docs/ui.md): every destructive or access-ending action shows a confirmation
page on GET and on a POST without ``confirm=yes``, changes nothing until confirmed, and acts on
the confirmed POST. A URL walk keeps new removal views from skipping the pattern."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from access.models import AuditAction, AuditEvent
from access.views import CaseScopedMixin, ConsultationScopedMixin
from cases.models import (
    Breach,
    BreakGlassAccess,
    CaseParty,
    CaseShare,
    CoDirector,
    Hearing,
    JudicialCondition,
    PartyRelation,
    PoliceReport,
)
from cases.services.break_glass import break_glass_open
from common.views import CONFIRM_FIELD, CONFIRM_VALUE, ConfirmationMixin
from consultations.models import (
    AgendaItem,
    Consultation,
    ConsultationStatus,
    LegalBasis,
    Participant,
)

from .urlwalk import walk


@dataclass(frozen=True)
class Destructive:
    name: str
    user: str
    # (world) -> (url kwargs, "is it still there?")
    make: Callable[[Any], tuple[dict[str, Any], Callable[[], bool]]]


def _child(param: str, model: Any) -> Callable[[Any], tuple[dict[str, Any], Callable[[], bool]]]:
    def make(world: Any) -> tuple[dict[str, Any], Callable[[], bool]]:
        obj = world.children["city_a_shared"][param]
        kwargs = {"pk": world.cases["city_a_shared"].pk, param: obj.pk}
        return kwargs, lambda: model._default_manager.filter(pk=obj.pk).exists()

    return make


def _share(world: Any) -> tuple[dict[str, Any], Callable[[], bool]]:
    case, org = world.cases["city_a_shared"], world.orgs["parket_a"]
    kwargs = {"pk": case.pk, "organisation_pk": org.pk}
    return kwargs, lambda: CaseShare.objects.filter(
        case=case, organisation=org, ended_at__isnull=True
    ).exists()


def _break_glass(world: Any) -> tuple[dict[str, Any], Callable[[], bool]]:
    access = break_glass_open(
        by=world.users["director_caw_b"],
        reference=world.cases["city_a"].reference,
        reason="Collega ziek, dringende vraag van de politie.",
        hours=1,
        link=lambda case: f"http://testserver/cases/{case.pk}/",
    )
    return {"break_glass_pk": access.pk}, lambda: BreakGlassAccess.objects.filter(
        pk=access.pk, ended_at__isnull=True
    ).exists()


def _cancel(world: Any) -> tuple[dict[str, Any], Callable[[], bool]]:
    c = world.consultation
    return {
        "pk": c.pk
    }, lambda: Consultation.objects.get(pk=c.pk).status != (ConsultationStatus.CANCELLED)


def _participant(world: Any) -> tuple[dict[str, Any], Callable[[], bool]]:
    c = world.consultation
    p = Participant.objects.get(consultation=c, user=world.users["liaison_parket_a"])
    return {"pk": c.pk, "participant_pk": p.pk}, lambda: Participant.objects.filter(
        pk=p.pk, removed_at__isnull=True
    ).exists()


def _agenda_item(world: Any) -> tuple[dict[str, Any], Callable[[], bool]]:
    item = world.agenda_item
    return {"pk": world.consultation.pk, "item_pk": item.pk}, lambda: AgendaItem.objects.filter(
        pk=item.pk, removed_at__isnull=True
    ).exists()


def _document(world: Any) -> tuple[dict[str, Any], Callable[[], bool]]:
    from cases.models import CaseDocument

    document = world.children["city_a_shared"]["document_pk"]
    kwargs = {"pk": world.cases["city_a_shared"].pk, "document_pk": document.pk}
    # Removal is soft: the document stays, out of the list.
    return kwargs, lambda: CaseDocument.objects.filter(
        pk=document.pk, removed_at__isnull=True
    ).exists()


def _legal_basis(world: Any) -> tuple[dict[str, Any], Callable[[], bool]]:
    basis = world.legal_basis
    return {"legal_basis_pk": basis.pk}, lambda: LegalBasis.objects.get(pk=basis.pk).is_active


def _plan_goal(world: Any) -> tuple[dict[str, Any], Callable[[], bool]]:
    from cases.models import PlanGoal

    goal = world.children["city_a"]["goal_pk"]
    # Removal is soft: the goal stays for the evaluations that judged it.
    return {"pk": world.cases["city_a"].pk, "goal_pk": goal.pk}, lambda: PlanGoal.objects.filter(
        pk=goal.pk, removed_at__isnull=True
    ).exists()


DESTRUCTIVE = [
    Destructive("cases:person_remove", "director_city_a", _child("party_pk", CaseParty)),
    Destructive("cases:relation_remove", "director_city_a", _child("relation_pk", PartyRelation)),
    Destructive(
        "cases:police_report_remove", "director_city_a", _child("police_report_pk", PoliceReport)
    ),
    Destructive("cases:hearing_remove", "director_city_a", _child("hearing_pk", Hearing)),
    Destructive("cases:document_remove", "director_city_a", _document),
    Destructive(
        "cases:condition_remove", "director_city_a", _child("condition_pk", JudicialCondition)
    ),
    Destructive("cases:breach_remove", "director_city_a", _child("breach_pk", Breach)),
    Destructive("cases:plan_goal_remove", "director_city_a", _plan_goal),
    Destructive(
        "cases:co_director_remove", "director_city_a", _child("co_director_pk", CoDirector)
    ),
    Destructive("cases:revoke_share", "director_city_a", _share),
    Destructive("cases:break_glass_end", "director_caw_b", _break_glass),
    Destructive("consultations:cancel", "director_city_a", _cancel),
    Destructive("consultations:participant_remove", "director_city_a", _participant),
    Destructive("consultations:agenda_remove", "director_city_a", _agenda_item),
    Destructive("consultations:legal_basis_deactivate", "opslead_city_a", _legal_basis),
]

# Views whose name sounds destructive but that ask in another way: a form page of their own
# (GET shows the form with the date or reason, POST does it) is the confirmation step.
ASKS_WITH_ITS_OWN_FORM = {
    "cases:close": "a form with the closing reason",
    "cases:care_partner_end": "a form with the end date",
    "registrations:withdraw": "a form with the reason for withdrawing",
}

_DESTRUCTIVE_WORDS = re.compile(r"remove|delete|cancel|revoke|deactivate|_end$|withdraw|close")


@pytest.mark.parametrize("action", DESTRUCTIVE, ids=lambda a: a.name)
def test_a_destructive_action_asks_first_and_acts_only_when_confirmed(world, client, action):
    kwargs, still_there = action.make(world)
    url = reverse(action.name, kwargs=kwargs)
    client.force_login(world.users[action.user])
    # GET: the question, in a page of its own; nothing changes.
    page = client.get(url)
    assert page.status_code == 200
    assert next(t.name for t in page.templates) == "confirm.html"
    html = page.content.decode()
    assert f'name="{CONFIRM_FIELD}" value="{CONFIRM_VALUE}"' in html
    assert 'class="button button--danger"' in html
    assert still_there()
    # An old one-click POST (no confirmation field) only asks again.
    response = client.post(url)
    assert response.status_code == 200
    assert "confirmation" in response.context
    assert still_there()
    # A wrong value does not count as a yes.
    assert client.post(url, {CONFIRM_FIELD: "no"}).status_code == 200
    assert still_there()
    # The confirmed POST acts and goes back with a message.
    response = client.post(url, {CONFIRM_FIELD: CONFIRM_VALUE})
    assert response.status_code == 302
    assert not still_there()


@pytest.mark.parametrize("action", DESTRUCTIVE, ids=lambda a: a.name)
def test_the_question_is_audited_as_a_view_and_only_the_yes_as_a_change(world, client, action):
    """Showing the question changes nothing, so its audit row must not say it did."""
    kwargs, _still_there = action.make(world)
    url = reverse(action.name, kwargs=kwargs)
    client.force_login(world.users[action.user])
    rows = AuditEvent.objects.filter(view_name=action.name)
    start = rows.order_by("-pk").values_list("pk", flat=True).first() or 0
    client.get(url)
    client.post(url)
    client.post(url, {CONFIRM_FIELD: "no"})
    asked = rows.filter(pk__gt=start)
    assert not asked.filter(action=AuditAction.CHANGE).exists()
    view = next(r.view_class for r in walk() if r.name == action.name)
    assert view is not None
    scoped = issubclass(view, CaseScopedMixin | ConsultationScopedMixin)
    if scoped:  # the access base views record what was seen
        assert asked.filter(action=AuditAction.VIEW).count() >= 3
    assert client.post(url, {CONFIRM_FIELD: CONFIRM_VALUE}).status_code == 302
    if scoped:
        assert rows.filter(pk__gt=start, action=AuditAction.CHANGE).exists()


def test_the_confirmation_page_is_dutch_and_names_the_object(world, client, settings):
    case = world.cases["city_a_shared"]
    report = world.children["city_a_shared"]["police_report_pk"]
    client.force_login(world.users["director_city_a"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    url = reverse(
        "cases:police_report_remove", kwargs={"pk": case.pk, "police_report_pk": report.pk}
    )
    html = client.get(url, headers={"accept-language": "nl"}).content.decode()
    assert "Dit proces-verbaal verwijderen?" in html
    assert "Ja, verwijderen" in html and "Annuleren" in html
    assert report.number in html and case.reference in html
    # Cancel goes back to the section the button was in.
    assert f"/cases/{case.pk}/#judicial-heading" in html


def test_the_confirmation_keeps_the_access_rules(world, client):
    """Asking is no side door: someone who may not act gets the same 404/403 on the question."""
    case = world.cases["city_a_shared"]
    party = world.children["city_a_shared"]["party_pk"]
    url = reverse("cases:person_remove", kwargs={"pk": case.pk, "party_pk": party.pk})
    client.force_login(world.users["director_city_b"])
    assert client.get(url).status_code == 404
    client.force_login(world.users["liaison_parket_a"])  # sees the shared case, cannot change
    assert client.get(url).status_code == 403


def test_every_destructive_view_asks_first():
    """A new remove/delete/cancel/revoke/end view must use ConfirmationMixin (and be listed
    above), or ask with a form of its own (ASKS_WITH_ITS_OWN_FORM)."""
    listed = {a.name for a in DESTRUCTIVE}
    missing = []
    for route in walk():
        short = route.name.split(":")[-1]
        if not _DESTRUCTIVE_WORDS.search(short) or route.name in ASKS_WITH_ITS_OWN_FORM:
            continue
        if route.name.startswith("admin:"):
            continue  # the Django admin asks on its own confirmation page
        view = route.view_class
        if view is None or not issubclass(view, ConfirmationMixin) or route.name not in listed:
            missing.append(route.name)
    assert not missing, f"destructive views without the confirmation step: {missing}"
    for name in ASKS_WITH_ITS_OWN_FORM:
        view = next(r.view_class for r in walk() if r.name == name)
        assert view is not None and "get" in getattr(view, "http_method_names", ())
