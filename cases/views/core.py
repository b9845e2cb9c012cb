"""Registering a case and steering it: the steering page, tracks, status, directors, sharing."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, ExpressionWrapper
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView, View

from access.policy import (
    Action,
    case_part_of,
    may_work_with_cases,
    permitted_case_exists,
    restrict_rows,
)
from access.views import CaseScopedMixin, RoleRequiredMixin
from accounts.roles import RoleCode
from common.submission import OneTimeSubmissionMixin
from common.views import Confirmation, ConfirmationMixin, add_service_errors
from partners.models import Organisation

from .. import selectors, services
from ..forms import (
    AnonymousConsultForm,
    CaseEditForm,
    CaseRegisterForm,
    CaseShareForm,
    CloseForm,
    CoDirectorForm,
    DirectorForm,
    ReopenForm,
    StatusChangeForm,
    TrackChangeForm,
)
from ..models import Case, CoDirector, Track
from .base import CaseFormView


class CaseDetailView(CaseScopedMixin, DetailView):
    """The steering page: where are we, and what is next."""

    model = Case
    template_name = "cases/case_detail.html"
    context_object_name = "case"
    audit_purpose = "case steering page"

    def base_queryset(self) -> Any:
        # Whether the user may change the case comes with the case, in the same query: the
        # policy's row-shaped CHANGE rule for the case's part (permitted_case_exists: the rule
        # restrict applies for CHANGE; who may hold no case access gets no case from
        # get_queryset at all), two EXISTS on the grant tables instead of a second read of the case. And whether each
        # mostly-empty section has rows (selectors.steering_presence): an empty one is not read.
        may_change = permitted_case_exists(self.user, Action.CHANGE, part=case_part_of(Case))
        return (
            Case.objects.for_list()
            .select_related("closing_reason", "referrer_organisation")
            .annotate(
                may_change=ExpressionWrapper(may_change, output_field=BooleanField()),
                **selectors.steering_presence(),
            )
        )

    def get_queryset(self) -> Any:
        # One case by its id: the VIEW rule checked on that row (restrict_rows, the same rule
        # as restrict's), not the set of every case the user may see.
        return restrict_rows(self.base_queryset(), self.user, Action.VIEW)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["steering"] = selectors.case_steering(
            case=self.object, user=self.user, can_change=self.object.may_change
        )
        return context


class CaseRegisterView(OneTimeSubmissionMixin, RoleRequiredMixin, FormView):
    required_roles = frozenset({RoleCode.CASE_DIRECTOR})
    template_name = "cases/case_register.html"
    form_class = CaseRegisterForm
    anonymous = False

    def has_required_role(self) -> bool:
        user = self.user
        return (
            super().has_required_role()
            and may_work_with_cases(user)
            and user.organisation_id is not None
        )

    def get_form_class(self) -> Any:
        return AnonymousConsultForm if self.anonymous else CaseRegisterForm

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        if not self.anonymous:
            kwargs["organisation"] = self.user.organisation
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "anonymous": self.anonymous}

    def form_valid(self, form: Any) -> HttpResponse:
        organisation = self.user.organisation
        assert organisation is not None  # has_required_role made sure
        data = form.cleaned_data
        fields = {k: v for k, v in data.items() if k not in {"track", "case_director"}}
        try:
            case = services.case_create(
                by=self.user,
                owner_organisation=organisation,
                case_director=data.get("case_director") or self.user,
                track=data.get("track", Track.ADVICE),
                is_anonymous_consult=self.anonymous,
                **fields,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Case %(ref)s registered.") % {"ref": case.reference})
        return redirect("cases:detail", pk=case.pk)


class CaseEditView(CaseFormView):
    form_class = CaseEditForm
    title = gettext_lazy("Edit the registration")
    success_message = gettext_lazy("Changes saved.")
    audit_purpose = "edit case registration"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.case}

    def perform(self, form: Any) -> None:
        data = dict(form.cleaned_data)
        version = data.pop("version")
        services.case_update(case=self.case, by=self.user, expected_version=version, **data)


class TrackChangeView(CaseFormView):
    form_class = TrackChangeForm
    title = gettext_lazy("Move to another track")
    success_message = gettext_lazy("The case moved to another track.")
    audit_purpose = "change track"

    def perform(self, form: Any) -> None:
        d = form.cleaned_data
        services.case_change_track(
            case=self.case,
            by=self.user,
            to_track=d["to_track"],
            changed_on=d["changed_on"],
            reason=d["reason"],
            expected_version=d["version"],
        )


class StatusChangeView(CaseFormView):
    form_class = StatusChangeForm
    title = gettext_lazy("Change the status")
    success_message = gettext_lazy("Status changed.")
    audit_purpose = "change status"

    def perform(self, form: Any) -> None:
        d = form.cleaned_data
        services.case_change_status(
            case=self.case,
            by=self.user,
            to_status=d["to_status"],
            changed_on=d["changed_on"],
            reason=d["reason"],
            expected_version=d["version"],
        )


class CloseView(CaseFormView):
    form_class = CloseForm
    title = gettext_lazy("Close the case")
    submit_label = gettext_lazy("Close the case")
    success_message = gettext_lazy("The case is closed.")
    audit_purpose = "close case"

    def perform(self, form: Any) -> None:
        d = form.cleaned_data
        services.case_close(
            case=self.case,
            by=self.user,
            closing_reason=d["closing_reason"],
            closed_on=d["closed_on"],
            note=d["note"],
            expected_version=d["version"],
        )


class ReopenView(CaseFormView):
    form_class = ReopenForm
    title = gettext_lazy("Reopen the case")
    submit_label = gettext_lazy("Reopen")
    success_message = gettext_lazy("The case is open again.")
    audit_purpose = "reopen case"

    def perform(self, form: Any) -> None:
        d = form.cleaned_data
        services.case_reopen(
            case=self.case,
            by=self.user,
            reason=d["reason"],
            reopened_on=d["reopened_on"],
            expected_version=d["version"],
        )


class DirectorChangeView(CaseFormView):
    form_class = DirectorForm
    template_name = "cases/case_director.html"
    title = gettext_lazy("Hand over to another case director")
    success_message = gettext_lazy("The case has a new case director.")
    audit_purpose = "change case director"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "case": self.case}

    def perform(self, form: Any) -> None:
        d = form.cleaned_data
        services.case_change_director(
            case=self.case,
            by=self.user,
            new_director=d["new_director"],
            expected_version=d["version"],
            reason=d["reason"],
            keep_share=form.keep_share_terms(),
        )

    def get_success_url(self) -> str:
        # The former director may no longer see the case.
        from django.urls import reverse

        return reverse("cases:list")


class CoDirectorAddView(OneTimeSubmissionMixin, CaseFormView):
    section = "where-heading"
    form_class = CoDirectorForm
    title = gettext_lazy("Add a co-director")
    submit_label = gettext_lazy("Add")
    success_message = gettext_lazy("Co-director added: they now have access to this case.")
    audit_purpose = "add co-director"

    def get_initial(self) -> dict[str, Any]:
        return {}

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "case": self.case}

    def perform(self, form: Any) -> None:
        services.case_add_co_director(case=self.case, by=self.user, user=form.cleaned_data["user"])


class CoDirectorRemoveView(ConfirmationMixin, CaseScopedMixin, View):
    model = Case
    action = Action.CHANGE
    audit_purpose = "remove co-director"

    def get_co_director(self) -> CoDirector:
        return get_object_or_404(
            CoDirector.objects.select_related("user__organisation"),
            case=self.get_object(),
            pk=self.kwargs["co_director_pk"],
        )

    def get_confirmation(self) -> Confirmation:
        co_director = self.get_co_director()
        case = self.get_object()
        return Confirmation(
            title=_("Remove this co-director?"),
            subject=_("%(user)s, co-director of case %(case)s.")
            % {"user": co_director.user, "case": case.reference},
            consequences=(_("Their access to the case ends at once."),),
            cancel_url=reverse("cases:detail", kwargs={"pk": case.pk}) + "#where-heading",
        )

    def act(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        case = self.get_object()
        co_director = self.get_co_director()
        services.case_remove_co_director(case=case, by=self.user, co_director=co_director)
        messages.success(request, _("Co-director removed: their access has ended."))
        return redirect(reverse("cases:detail", kwargs={"pk": case.pk}) + "#where-heading")


class CaseShareView(OneTimeSubmissionMixin, CaseFormView):
    """The disclosure records of the case, and sharing it on a ground, for a scope, until an
    end date."""

    form_class = CaseShareForm
    template_name = "cases/case_share.html"
    title = gettext_lazy("Sharing")
    audit_purpose = "share case"

    def get_initial(self) -> dict[str, Any]:
        return {}

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "case": self.case}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "shares": list(selectors.case_shares(case=self.case, user=self.user)),
            "max_days": settings.FJC_SHARE_MAX_DAYS,
        }

    def perform(self, form: Any) -> None:
        organisation = form.cleaned_data["organisation"]
        services.case_share(
            case=self.case, by=self.user, organisation=organisation, terms=form.terms()
        )
        messages.success(self.request, _("Shared with %(org)s.") % {"org": organisation.name})

    def get_success_url(self) -> str:
        from django.urls import reverse

        return reverse("cases:share", kwargs={"pk": self.case.pk})


class CaseRevokeShareView(ConfirmationMixin, CaseScopedMixin, View):
    model = Case
    action = Action.CHANGE
    audit_purpose = "stop sharing case"

    def get_organisation(self) -> Organisation:
        case = self.get_object()
        return get_object_or_404(
            Organisation.objects.exclude(pk=case.owner_organisation_id),
            pk=self.kwargs["organisation_pk"],
        )

    def get_confirmation(self) -> Confirmation:
        organisation = self.get_organisation()
        case = self.get_object()
        return Confirmation(
            title=_("Stop sharing this case?"),
            subject=_("Case %(case)s, shared with %(org)s.")
            % {"case": case.reference, "org": organisation.name},
            consequences=(
                _("Its staff lose access to the case at once."),
                _("The disclosure record stays, with the date it ended."),
            ),
            button=_("Yes, stop sharing"),
            cancel_url=reverse("cases:share", kwargs={"pk": case.pk}),
        )

    def act(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        case = self.get_object()
        organisation = self.get_organisation()
        try:
            services.case_unshare(case=case, by=self.user, organisation=organisation)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("No longer shared with %(org)s.") % {"org": organisation.name}
            )
        return redirect("cases:share", pk=case.pk)
