from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    """Risk instruments (as data) and assessments: built in the risk-assessment issue."""

    name = "risk"
    verbose_name = _("Risk assessment")

    def ready(self) -> None:
        # The escalation rule's chain setup checks and its kinds on the deadline board
        # (``cases`` cannot import this app). Another part adds its check with one call to
        # ``escalation.register_chain_setup_check`` (see ``escalation.dated_record_check``).
        from . import board, escalation

        escalation.register_chain_setup_check(escalation.JOINT_ASSESSMENT_CHECK)
        escalation.register_chain_setup_check(escalation.PLAN_OF_APPROACH_CHECK)
        board.register()
        # The steering page knows with the case whether the risk panel's tables have rows of
        # it (risk.selectors.risk_overview reads none of an empty one).
        from cases.selectors.steering import register_presence

        from .models import Assessment, JointAssessment, RiskDecision

        register_presence("assessments", Assessment)
        register_presence("joints", JointAssessment)
        register_presence("risk_decisions", RiskDecision)
