from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    """Risk instruments (as data) and assessments: built in the risk-assessment issue."""

    name = "risk"
    verbose_name = _("Risk assessment")
