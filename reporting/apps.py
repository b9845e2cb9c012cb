from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    """Dashboards and the annual figures: built in the network and annual-figures issues."""

    name = "reporting"
    verbose_name = _("Reporting")
