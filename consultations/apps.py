from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Case consultations (art. 458ter)")

    def ready(self) -> None:
        # access cannot import consultations (a layer above it): tell it the models its
        # consultation rules need.
        from access.registry import ConsultationModels, register_consultation_models

        from .models import AgendaItem, Consultation, ConsultationAccess, Participant

        register_consultation_models(
            ConsultationModels(
                consultation=Consultation,
                participant=Participant,
                agenda_item=AgendaItem,
                access=ConsultationAccess,
            )
        )
        # The consultation dates and ending accesses on the deadline board (cases cannot
        # import this app).
        from .selectors import board

        board.register()
        # A track-3 case's chain setup counts a case consultation (risk.escalation).
        from risk.escalation import register_chain_setup_check

        from .selectors.planning import CONSULTATION_CHECK

        register_chain_setup_check(CONSULTATION_CHECK)
        # The steering page knows with the case whether it is on any agenda (no query for
        # the next consultation otherwise).
        from cases.selectors.steering import register_presence

        register_presence("agenda_items", AgendaItem)
