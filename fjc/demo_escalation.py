"""The demo's escalation (issue 17, part 6; ``risk.escalation``): a track-2 case of the city's
case director suggested for track 3 (the instrument's high threshold), and a track-3 case that
shows the chain setup warning. Built through the services; a second run adds nothing."""

import datetime

from django.utils import timezone

from accounts.models import User
from cases.models import Case, Status, Track


def seed_escalation(users: dict[str, User]) -> None:
    from risk.models import InstrumentVersion, VersionStatus
    from risk.services import assessment_create

    today = timezone.localdate()
    recent = Case.objects.filter(
        opened_on__gte=today - datetime.timedelta(days=150), is_anonymous_consult=False
    ).order_by("opened_on", "pk")
    # Suggested: the city's oldest open track-2 case gets an assessment at the high threshold.
    suggested = recent.filter(
        case_director=users["regisseur.stad"], track=Track.OUTREACH, status=Status.ACTIVE
    ).first()
    version = (
        InstrumentVersion.objects.filter(
            instrument__code="checklist-24", status=VersionStatus.PUBLISHED
        )
        .order_by("-number")
        .first()
    )
    if suggested is not None and version is not None and not suggested.risk_assessments.exists():
        victims = list(suggested.parties.filter(is_victim=True))
        if victims:
            codes = list(version.items.order_by("section__order", "order").values_list("code"))
            assessment_create(
                case=suggested,
                by=users["regisseur.stad"],
                instrument_version=version,
                assessed_on=today - datetime.timedelta(days=1),
                parties=victims,
                answers={code: "yes" if i < 15 else "no" for i, (code,) in enumerate(codes)},
            )
    # The warning: the CAW's track-3 case (registered 75 days ago) has neither a joint risk
    # assessment nor a case consultation, so it shows "Ketenaanpak onvolledig" as it is.
