"""Break-glass pages: asking for emergency access, ending it early, reviewing it.

Each page is for the roles ``access.policy`` names (``may_request_break_glass``,
``may_read_break_glass_reviews``, ``may_review_break_glass``); everyone else gets 403, and
none of them shows anything of a case's content.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View

from access import audit
from access.models import AuditAction
from access.policy import (
    may_read_break_glass_reviews,
    may_request_break_glass,
    may_review_break_glass,
)
from access.views import RoleRequiredMixin
from common.submission import OneTimeSubmissionMixin
from common.views import Confirmation, ConfirmationMixin, add_service_errors

from ..forms.break_glass import BreakGlassRequestForm, BreakGlassReviewForm
from ..models import BreakGlassAccess, BreakGlassReview
from ..selectors.break_glass import break_glass_review_list, my_open_break_glass
from ..services.break_glass import break_glass_end, break_glass_open, break_glass_review


class BreakGlassRequestView(OneTimeSubmissionMixin, RoleRequiredMixin, FormView):
    """A case director asks for emergency access to a case by its exact reference."""

    template_name = "cases/break_glass/request.html"
    form_class = BreakGlassRequestForm

    def has_required_role(self) -> bool:
        return may_request_break_glass(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "open_accesses": my_open_break_glass(self.user),
        }

    def form_valid(self, form: BreakGlassRequestForm) -> HttpResponse:
        request = self.request
        try:
            access = break_glass_open(
                by=self.user,
                reference=form.cleaned_data["reference"],
                reason=form.cleaned_data["reason"],
                hours=form.cleaned_data["hours"],
                link=lambda case: request.build_absolute_uri(
                    reverse("cases:detail", kwargs={"pk": case.pk})
                ),
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.warning(
            request,
            _(
                "Emergency access is open. The case's directors and the data protection officer have been told."
            ),
        )
        return redirect("cases:detail", pk=access.case_id)


class BreakGlassEndView(ConfirmationMixin, RoleRequiredMixin, View):
    """The requester ends their emergency access early (nobody else: 403)."""

    def has_required_role(self) -> bool:
        return may_request_break_glass(self.request.user)

    def get_access(self) -> BreakGlassAccess:
        access = get_object_or_404(
            BreakGlassAccess.objects.select_related("case"), pk=self.kwargs["break_glass_pk"]
        )
        if access.requested_by_id != self.user.pk:
            audit.record(
                user=self.user,
                action=AuditAction.DENIED,
                request=self.request,
                object_type=BreakGlassAccess._meta.label_lower,
                object_id=access.pk,
                purpose="end another's emergency access",
            )
            raise PermissionDenied
        return access

    def get_confirmation(self) -> Confirmation:
        access = self.get_access()
        return Confirmation(
            title=_("End your emergency access now?"),
            subject=_("Your emergency access to case %(case)s.") % {"case": access.case.reference},
            consequences=(
                _("You lose access to the case at once; it is still reviewed afterwards."),
            ),
            button=_("Yes, end now"),
            cancel_url=reverse("cases:break_glass"),
        )

    def act(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        access = self.get_access()
        try:
            break_glass_end(access=access, by=self.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your emergency access has ended."))
        return redirect("cases:break_glass")


class BreakGlassReviewListView(RoleRequiredMixin, TemplateView):
    """Emergency accesses awaiting review (open or ended), and the recent verdicts."""

    template_name = "cases/break_glass/reviews.html"

    def has_required_role(self) -> bool:
        return may_read_break_glass_reviews(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        reviews = break_glass_review_list(user=self.user)
        audit.record(
            user=self.user,
            action=AuditAction.LIST,
            request=self.request,
            object_type=BreakGlassAccess._meta.label_lower,
            purpose="emergency accesses to review",
        )
        return {**super().get_context_data(**kwargs), "reviews": reviews}


class BreakGlassReviewView(RoleRequiredMixin, FormView):
    """A second person marks one emergency access justified or not, with a comment."""

    template_name = "cases/break_glass/review.html"
    form_class = BreakGlassReviewForm
    access: BreakGlassAccess

    def has_required_role(self) -> bool:
        access = (
            BreakGlassAccess.objects.select_related("case", "requested_by", "ended_by")
            .filter(pk=self.kwargs["break_glass_pk"])
            .first()
        )
        if access is None or not may_review_break_glass(self.request.user, access):
            return False
        self.access = access
        return True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        review = (
            BreakGlassReview.objects.filter(access=self.access)
            .select_related("reviewed_by")
            .first()
        )
        return {**super().get_context_data(**kwargs), "access": self.access, "review": review}

    def form_valid(self, form: BreakGlassReviewForm) -> HttpResponse:
        try:
            break_glass_review(
                access=self.access,
                by=self.user,
                verdict=form.cleaned_data["verdict"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Your review has been recorded."))
        return redirect("cases:break_glass_reviews")
