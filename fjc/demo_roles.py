"""Demo data for roles in the violence (issue 18, part 2): a child who witnessed the partner
violence in one case is a direct victim in a later one.

A child of a current demo case (Lina Voorbeeld, when her family was drawn) is recorded there as
a witness; a new registration a few weeks later concerns violence against the child herself:
her father as perpetrator, her mother involved as the parent who protects her. Written through
the services like everything in the demo; a second run adds nothing (the case is found by its
description).
"""

import datetime

from django.utils import timezone

from cases.models import Case, CaseParty, FamilyPosition, RelationKind, Track, ViolenceRole
from cases.services import case_create, person_link_to_case, relation_create

DESCRIPTION = "Fictieve melding voor de demo: het kind werd nu zelf geslagen."


def _witness_child() -> CaseParty | None:
    """A child recorded as a witness in a current demo case, Lina first when she is there."""
    children = (
        CaseParty.objects.filter(position=FamilyPosition.CHILD, is_witness=True, is_victim=False)
        .filter(case__description__startswith="Fictieve melding voor de demo.")
        .select_related("person", "case")
        .order_by("pk")
    )
    return children.filter(person__first_name="Lina").first() or children.first()


def seed_child_roles() -> None:
    if Case.objects.filter(description=DESCRIPTION).exists():
        return
    child = _witness_child()
    if child is None:
        return
    earlier = child.case
    in_earlier = CaseParty.objects.filter(case=earlier).exclude(pk=child.pk).order_by("pk")
    director = earlier.case_director
    today = timezone.localdate()
    opened_on = max(earlier.opened_on, today - datetime.timedelta(days=20))
    case = case_create(
        by=director,
        owner_organisation=director.organisation,  # type: ignore[arg-type]
        case_director=director,
        track=Track.OUTREACH,
        opened_on=opened_on,
        referrer_kind=earlier.referrer_kind,
        referrer_organisation=earlier.referrer_organisation,
        municipality=earlier.municipality,
        relationship_contexts=list(earlier.relationship_contexts.all()),
        forms_of_violence=list(earlier.forms_of_violence.all()),
        description=DESCRIPTION,
    )
    victim = person_link_to_case(
        case=case,
        by=director,
        person=child.person,
        position=FamilyPosition.CHILD,
        roles=[ViolenceRole.VICTIM],
        involved_since=opened_on,
    )
    perpetrator = in_earlier.filter(is_perpetrator=True).first()
    if perpetrator is not None:
        father = person_link_to_case(
            case=case,
            by=director,
            person=perpetrator.person,
            position=FamilyPosition.PARENT,
            roles=[ViolenceRole.PERPETRATOR],
            involved_since=opened_on,
        )
        relation_create(
            case=case, by=director, from_party=father, kind=RelationKind.PARENT, to_party=victim
        )
    protector = in_earlier.filter(is_victim=True).first()
    if protector is not None:
        mother = person_link_to_case(
            case=case,
            by=director,
            person=protector.person,
            position=FamilyPosition.PARENT,
            roles=[ViolenceRole.INVOLVED],
            involved_since=opened_on,
        )
        relation_create(
            case=case, by=director, from_party=mother, kind=RelationKind.PARENT, to_party=victim
        )
