"""Referrals: the FJC refers a case to a partner, or a partner refers one to the FJC."""

from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy

from common.submission import OneTimeSubmissionMixin

from .. import services
from ..forms.referrals import ReferralAnswerForm, ReferralForm
from ..models import Referral, ReferralDirection, ReferrerKind
from .base import CaseFormView


class _ReferralFormView(CaseFormView):
    section = "referrals-heading"


class ReferralAddView(OneTimeSubmissionMixin, _ReferralFormView):
    """Record a referral in one direction (``as_view(direction=..., title=..., ...)``)."""

    form_class = ReferralForm
    title = gettext_lazy("Refer the case to a partner")
    audit_purpose = "record outgoing referral"
    submit_label = gettext_lazy("Record")
    success_message = gettext_lazy("Referral recorded.")
    direction: str = ReferralDirection.OUTGOING

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "direction": self.direction}

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        case = self.case
        # Registration does not create the incoming referral; the form offers what it knows.
        if self.direction == ReferralDirection.INCOMING:
            initial["referred_on"] = case.opened_on
            if case.referrer_kind == ReferrerKind.PARTNER and case.referrer_organisation_id:
                initial["partner"] = case.referrer_organisation_id
        return initial

    def perform(self, form: Any) -> None:
        services.referral_create(
            case=self.case, by=self.user, direction=self.direction, **form.cleaned_data
        )


class ReferralAnswerView(_ReferralFormView):
    form_class = ReferralAnswerForm
    template_name = "cases/referrals/answer.html"
    title = gettext_lazy("Record the answer to a referral")
    submit_label = gettext_lazy("Save the answer")
    success_message = gettext_lazy("Answer recorded.")
    audit_purpose = "answer referral"
    referral: Referral

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.case = self.get_object()
        self.referral = get_object_or_404(
            Referral.objects.select_related("partner", "case"),
            case=self.case,
            pk=kwargs["referral_pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        # The referral's own version: a concurrent answer must not be overwritten.
        return {**super().get_initial(), "version": self.referral.version}

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "referral": self.referral}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "referral": self.referral}

    def perform(self, form: Any) -> None:
        d = form.cleaned_data
        services.referral_answer(
            referral=self.referral,
            by=self.user,
            status=d["status"],
            on=d["on"],
            decline_reason=d["decline_reason"],
            expected_version=d["version"],
            join_care_trajectory=d.get("join_care_trajectory", False),
            care_role=d.get("care_role", ""),
        )


urlpatterns: list[URLPattern] = [
    path(
        "<int:pk>/referrals/out/add/",
        ReferralAddView.as_view(direction=ReferralDirection.OUTGOING),
        name="referral_out_add",
    ),
    path(
        "<int:pk>/referrals/in/add/",
        ReferralAddView.as_view(
            direction=ReferralDirection.INCOMING,
            title=gettext_lazy("Record a referral received from a partner"),
            audit_purpose="record incoming referral",
        ),
        name="referral_in_add",
    ),
    path(
        "<int:pk>/referrals/<int:referral_pk>/answer/",
        ReferralAnswerView.as_view(),
        name="referral_answer",
    ),
]
