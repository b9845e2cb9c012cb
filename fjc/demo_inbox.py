"""Demo data for the partner inbox (issue 19, part 3): the demo CGG professional
(``partner.cgg``) finds two referrals of the city's case director in the CGG's inbox, one new
and one they accepted, and an action assigned to the CGG. Built through the services;
fictional; a second seed run adds nothing."""

import datetime
from typing import Any

from django.utils import timezone

from cases.models import Case, CaseAction, Referral, ReferralDirection, Status
from cases.services import case_action_add, inbox_answer, referral_create
from partners.models import Organisation

REASON_NEW = "Fictieve doorverwijzing: de moeder vraagt begeleiding na het incident."
REASON_ACCEPTED = "Fictieve doorverwijzing: traumabegeleiding voor het oudste kind."


def seed_inbox(users: dict[str, Any]) -> None:
    if Referral.objects.filter(reason=REASON_NEW).exists():
        return
    director, partner = users["regisseur.stad"], users["partner.cgg"]
    cgg = Organisation.objects.get(name="CGG Mechelen (demo)")
    case = (
        Case.objects.filter(case_director=director, is_anonymous_consult=False)
        .exclude(status=Status.CLOSED)
        .order_by("opened_on", "pk")
        .first()
    )
    if case is None:
        return
    today = timezone.localdate()
    common: dict[str, Any] = {
        "case": case,
        "by": director,
        "direction": ReferralDirection.OUTGOING,
        "partner": cgg,
        "ground": "consent",
        "consent_given_by": "De cliënt (demo)",
        "consent_purpose": "Doorverwijzing naar het CGG",
    }
    referral_create(
        **common,
        referred_on=today - datetime.timedelta(days=2),
        consent_given_on=today - datetime.timedelta(days=2),
        reason=REASON_NEW,
        partner_information="Moeder is het best bereikbaar 's avonds, via de casusregisseur.",
    )
    accepted = referral_create(
        **common,
        referred_on=today - datetime.timedelta(days=6),
        consent_given_on=today - datetime.timedelta(days=6),
        reason=REASON_ACCEPTED,
        partner_information="Kind (10 jaar) heeft nachtmerries sinds het incident.",
    )
    inbox_answer(
        item=accepted,
        by=partner,
        outcome="accepted",
        note="Intake gepland; wachttijd twee weken.",
        expected_version=accepted.version,
    )
    if not CaseAction.objects.filter(case=case, assignee_organisation=cgg).exists():
        case_action_add(
            case=case,
            by=director,
            description="Terugkoppeling na de intake aan de casusregisseur",
            due_on=today + datetime.timedelta(days=14),
            assignee_organisation=cgg,
        )
