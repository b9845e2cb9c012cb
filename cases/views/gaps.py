"""Signalling a gap in the care offer from a case (the gap itself is the network's)."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from common.submission import OneTimeSubmissionMixin
from partners.forms import GapSignalForm

from .. import services
from .base import CaseFormView


class GapSignalView(OneTimeSubmissionMixin, CaseFormView):
    """On a case (change access): the gap keeps the case only for its case director.

    Its URL keeps its name in the partners namespace (``partners:gap_signal``, see
    ``fjc/urls.py``), beside the network's gap pages.
    """

    form_class = GapSignalForm
    title = _("Signal a gap in the care offer")
    success_message = _("The gap was signalled to the network coordinator.")
    audit_purpose = "signal a gap in the care offer"

    def perform(self, form: Any) -> None:
        data = form.cleaned_data
        services.gap_signal(
            case=self.case,
            by=self.user,
            kind=data["kind"],
            description=data["description"],
            organisation=data["organisation"],
            municipality=data["municipality"],
            personal_data_checked=data["personal_data_checked"],
        )
