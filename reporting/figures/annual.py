"""The annual figures: every theme's chapter for one calendar year, in a fixed order.

Each theme's selectors take a ``Period`` so the network dashboard can use them for its
calendar periods; here they are called with 1 January to 31 December. ``annual_figures``
gives them protected (secondary suppression) together with everything the dashboard
publishes about the same year (``publication``).
"""

from django.utils.translation import gettext as _

from .base import Chapter
from .cases import case_tables
from .consultations import consultation_tables
from .duration import closing_tables, duration_tables, repeat_tables
from .funding import funding_tables
from .judicial import judicial_tables
from .network import network_tables
from .people import people_tables
from .period import Period
from .places import place_tables
from .registrations import registration_tables
from .risk import risk_tables


def annual_chapters(year: int) -> list[Chapter]:
    """The chapters with raw tables, not yet protected together."""
    period = Period.year(year)
    funding = funding_tables(year)
    return [
        Chapter(key="cases", title=_("Cases"), tables=case_tables(period)),
        Chapter(
            key="people", title=_("People in the client systems"), tables=people_tables(period)
        ),
        Chapter(
            key="places", title=_("Municipalities and police zones"), tables=place_tables(period)
        ),
        Chapter(key="risk", title=_("Risk"), tables=risk_tables(period)),
        Chapter(
            key="consultations",
            title=_("Case consultations"),
            tables=consultation_tables(period),
        ),
        Chapter(
            key="judicial",
            title=_("Temporary restraining orders"),
            tables=judicial_tables(period),
        ),
        Chapter(key="duration", title=_("Duration"), tables=duration_tables(period)),
        Chapter(key="closing", title=_("How cases were closed"), tables=closing_tables(period)),
        Chapter(key="repeats", title=_("Repeats"), tables=repeat_tables(period)),
        Chapter(key="network", title=_("The partner network"), tables=network_tables(period)),
        Chapter(
            key="registrations",
            title=_("Registrations and triage"),
            tables=registration_tables(period),
        ),
        Chapter(
            key="funding",
            title=_("Funding"),
            tables=funding,
            intro="" if funding else _("No funding was entered for this year."),
        ),
    ]


def annual_figures(year: int) -> list[Chapter]:
    """The chapters as published: protected with the dashboard's periods of the year."""
    # Imported here: the publication builds on annual_chapters.
    from .publication import year_publication

    return year_publication(year).chapters
