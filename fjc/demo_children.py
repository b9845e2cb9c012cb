"""Demo data for the children's trajectory (issue 18, part 3): the child who is a direct
victim in the demo case of ``fjc.demo_roles`` gets a child file (school contacted, a child
psychologist of the CGG, reported to the VK, a child plan) and a conversation in which she
says what she wants. Fictional; written through the services; a second run adds nothing.
"""

import datetime

from django.utils import timezone

from cases.models import CaseParty, ChildFile, ChildReportedTo, FamilyPosition
from cases.services import ChildFileContent, child_conversation_add, child_file_save
from partners.models import Organisation

from .demo_roles import DESCRIPTION


def seed_children() -> None:
    child = (
        CaseParty.objects.filter(
            case__description=DESCRIPTION, position=FamilyPosition.CHILD, is_victim=True
        )
        .select_related("case", "person")
        .order_by("pk")
        .first()
    )
    if child is None or ChildFile.objects.filter(party=child).exists():
        return
    case = child.case
    director = case.case_director
    today = timezone.localdate()
    held_on = max(case.opened_on, today - datetime.timedelta(days=3))
    child_conversation_add(
        case=case,
        party=child,
        by=director,
        held_on=held_on,
        held_by=director,
        child_view=(
            "Wil graag bij mama blijven wonen en op haar eigen school blijven. Wil papa "
            "voorlopig alleen zien als er iemand bij is. (fictief)"
        ),
    )
    cgg = Organisation.objects.filter(name="CGG Mechelen (demo)").first()
    child_file_save(
        case=case,
        party=child,
        by=director,
        expected_version=1,
        content=ChildFileContent(
            school_name="Basisschool De Regenboog (fictief)",
            school_contacted_on=held_on,
            school_note="De zorgcoördinator let op signalen en meldt afwezigheden.",
            psychologist_involved=cgg is not None,
            psychologist_organisation=cgg,
            psychologist_since=held_on if cgg is not None else None,
            reported=True,
            reported_to=ChildReportedTo.VK,
            reported_on=case.opened_on,
            report_reference="VK-DEMO-0001",
            plan_goals=(
                "Het kind voelt zich veilig thuis en op school; begeleid contact met de vader "
                "alleen na evaluatie."
            ),
            plan_organisation=cgg,
            plan_next_evaluation_on=today + datetime.timedelta(days=28),
        ),
    )
