"""Case consultations (art. 458ter) held and the cases discussed in them."""

from django.db.models import Count
from django.utils.translation import gettext as _

from access.policy import unrestricted_for_aggregates
from consultations.models import AgendaItem, Consultation, ConsultationStatus

from .base import Table
from .common import anonymous_rule, count_column, label_column
from .period import Period


def consultations_held(period: Period) -> Table:
    held = unrestricted_for_aggregates(Consultation.objects.all()).filter(
        status=ConsultationStatus.HELD,
        scheduled_at__date__range=(period.start, period.end),
    )
    # An item taken off the agenda was not discussed, whatever its flag says.
    discussed = (
        unrestricted_for_aggregates(AgendaItem.objects.all())
        # An anonymous consult is never counted among the cases (it can be put on an agenda).
        .filter(
            consultation__in=held,
            discussed=True,
            removed_at__isnull=True,
            case__is_anonymous_consult=False,
        )
        .aggregate(cases=Count("case_id", distinct=True), items=Count("id"))
    )
    return Table(
        key="consultations",
        title=_("Case consultations"),
        columns=(label_column("label", _("What")), count_column("count", _("Number"))),
        rows=[
            [_("Case consultations held"), held.count()],
            [_("Cases discussed (each case once)"), discussed["cases"]],
            [_("Discussions of a case (a case discussed twice counts twice)"), discussed["items"]],
        ],
        row_keys=["held", "cases_discussed", "discussions"],
        note=" ".join(
            [
                _(
                    "Consultations with the status held whose date falls in the period; a case "
                    "counts as discussed when its agenda item is marked discussed."
                ),
                anonymous_rule(),
            ]
        ),
    )


def consultation_tables(period: Period) -> list[Table]:
    return [consultations_held(period)]
