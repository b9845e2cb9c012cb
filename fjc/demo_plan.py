"""Demo data for the plan of approach (issue 17, part 4): a plan with goals for the victim,
the perpetrator, a child and the family, agreements with partners of the care and justice
side, one evaluation; and its review in a case consultation held. Fictional data only, made
through the services; called from ``fjc.demo`` where a track-3 case is filled and where the
demo consultations are held (each of which runs once)."""

import datetime
from typing import Any

from django.utils import timezone

from accounts.models import User
from cases.models import Case, FamilyPosition, ViolenceRole
from partners.models import Organisation

# (whom, goal, note for the case team, [(organisation, what, days until due)])
GOALS: list[tuple[str | None, str, str, list[tuple[str, str, int]]]] = [
    (
        "victim",
        "Zich thuis veilig voelen en weten wie te bellen als het misloopt.",
        "Slaapt slecht sinds het laatste incident (fictief).",
        [
            ("CAW Boom Mechelen Lier", "Wekelijks begeleidingsgesprek met het slachtoffer.", 30),
            ("Politiezone Rivierenland", "Contactpunt IFG belt na elk incident terug.", 14),
        ],
    ),
    (
        "perpetrator",
        "Geen geweld meer; deelnemen aan een daderhulpprogramma.",
        "",
        [
            ("Justitiehuis Mechelen", "Begeleiding tijdens het huisverbod en de voorwaarden.", 21),
            ("Parket Antwerpen, afdeling Mechelen", "Opvolging van de probatievoorwaarden.", 60),
        ],
    ),
    (
        "child",
        "Het kind kan zijn eigen verhaal doen en krijgt steun op school.",
        "Vertelde de kinderpsycholoog over nachtmerries (fictief).",
        [
            ("Vertrouwenscentrum Kindermishandeling Antwerpen", "Gesprek met het kind.", 10),
            ("CGG Mechelen (demo)", "Traject bij de kinderpsycholoog starten.", 45),
        ],
    ),
    (
        None,
        "Eén gezin, één plan: duidelijke afspraken over de omgang met de kinderen.",
        "",
        [("Stad Mechelen", "Casusregisseur brengt de partners maandelijks samen.", 28)],
    ),
]


def _is(party: Any, whom: str) -> bool:
    """The victim, the perpetrator (roles in the violence) or a child (family position)."""
    if whom == "child":
        return bool(party.position == FamilyPosition.CHILD)
    return bool(party.is_victim if whom == "victim" else party.is_perpetrator)


def plan_of_approach(case: Case, director: User, parties: list[Any]) -> None:
    """An active plan, made ten days after the opening (or at the opening of a recent case),
    with a goal for the victim, the perpetrator, a child (a fictional one joins the case when
    it has none) and the family, and one evaluation last week."""
    from cases.models import GoalOutcome, PlanStatus
    from cases.services import (
        AgreementLine,
        GoalContent,
        OutcomeLine,
        PlanFacts,
        plan_create,
        plan_evaluation_add,
        plan_goal_add,
    )

    today = timezone.localdate()
    parties = list(parties)
    if not any(_is(p, "child") for p in parties):
        # "One family, one plan" shows best with a child in it: a fictional one joins.
        from cases.services import person_create_in_case

        victim = next((p for p in parties if _is(p, "victim")), None)
        parties.append(
            person_create_in_case(
                case=case,
                by=director,
                position=FamilyPosition.CHILD,
                roles=[ViolenceRole.WITNESS],
                first_name="Mila",
                last_name=victim.person.last_name if victim else "Voorbeeld",
                date_of_birth=datetime.date(2016, 4, 12),
                confirm_new=True,
                involved_since=case.opened_on,
            )
        )
    made_on = max(case.opened_on, min(case.opened_on + datetime.timedelta(days=10), today))
    plan = plan_create(
        case=case,
        by=director,
        facts=PlanFacts(
            made_on=made_on,
            status=PlanStatus.ACTIVE,
            aim="Veiligheid voor iedereen in het gezin en rust voor de kinderen.",
            next_evaluation_on=made_on + datetime.timedelta(days=28),
        ),
    )
    goals = []
    for whom, description, note, agreements in GOALS:
        party = next((p for p in parties if _is(p, whom)), None) if whom else None
        if whom and party is None:
            continue
        lines = []
        for name, what, days in agreements:
            organisation = Organisation.objects.get(name=name)
            lines.append(
                AgreementLine(
                    organisation=organisation,
                    what=what,
                    due_on=today + datetime.timedelta(days=days),
                    user=director if director.organisation_id == organisation.pk else None,
                )
            )
        goals.append(
            plan_goal_add(
                plan=plan,
                by=director,
                content=GoalContent(
                    description=description, party=party, team_note=note, agreements=lines
                ),
                # The note stays with the team; the goal of the child is not shown.
                shared_in_consultation=whom != "child",
            )
        )
    outcomes = [GoalOutcome.IN_PROGRESS, GoalOutcome.ACHIEVED, GoalOutcome.IN_PROGRESS]
    plan_evaluation_add(
        plan=plan,
        by=director,
        held_on=max(made_on, today - datetime.timedelta(days=7)),
        next_evaluation_on=today + datetime.timedelta(days=21),
        outcomes={
            goal.pk: OutcomeLine(
                outcome=outcomes[number % len(outcomes)],
                note="Goed op weg volgens de partners." if number == 0 else "",
            )
            for number, goal in enumerate(goals)
        },
    )


def plan_review(item: Any, chair: User, day: datetime.date) -> None:
    """The review of the agenda case's plan in a consultation held on ``day`` (when the case
    had a plan by then)."""
    from cases.models import PlanOfApproach
    from consultations.services import minutes

    plan = PlanOfApproach.objects.filter(case_id=item.case_id).first()
    if plan is None or plan.made_on > day:
        return
    minutes.plan_review_record(
        agenda_item=item,
        by=chair,
        outcome=(
            "Doelen besproken met de partners; de begeleiding van de pleger loopt goed. "
            "Het gesprek met het kind wordt vervroegd."
        ),
        next_evaluation_on=max(day, timezone.localdate()) + datetime.timedelta(days=21),
    )
