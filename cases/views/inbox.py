"""The partner inbox (issue 19, part 3): referrals and actions addressed to an organisation.

Pages: the inbox (open / handled), one item (what the partner may know: the referral
letter's content, never the case file) and the answers accept, decline (with a reason) and
complete. Built on ``access.views`` bases; the rules are ``access.policy``'s
(``may_use_inbox``, ``restrict_inbox``). The case stays 404 for the partner.
"""

from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from access import audit
from access.models import AuditAction
from access.policy import Action, may_use_inbox, restrict_inbox
from access.views import AccessControlledView, InboxScopedMixin
from common.submission import OneTimeSubmissionMixin
from common.views import ServiceFormMixin

from ..forms.inbox import InboxAnswerForm
from ..models import CaseAction, PartnerAnswerOutcome, Referral
from ..selectors.inbox import inbox_detail, inbox_rows
from ..services.inbox import inbox_answer

app_name = "inbox"

OPEN, HANDLED = "open", "handled"


class _InboxUserMixin(AccessControlledView):
    """Pages for an organisation's inbox users (``access.policy.may_use_inbox``): 403 else."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not may_use_inbox(request.user):
            audit.record(
                user=request.user,
                action=AuditAction.DENIED,
                request=request,
                purpose="inbox required",
            )
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class InboxListView(_InboxUserMixin, TemplateView):
    template_name = "inbox/list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        tab = HANDLED if self.request.GET.get("tab") == HANDLED else OPEN
        rows = inbox_rows(user=self.user, handled=tab == HANDLED, today=timezone.localdate())
        for model in (Referral, CaseAction):
            audit.record_list(
                user=self.user,
                model=model,
                ids=[row.item.pk for row in rows if isinstance(row.item, model)],
                request=self.request,
                purpose="partner inbox",
            )
        base = reverse("inbox:list")
        return {
            **super().get_context_data(**kwargs),
            "rows": rows,
            "handled": tab == HANDLED,
            "tabs": [
                {"url": base, "label": gettext_lazy("Open"), "current": tab == OPEN},
                {
                    "url": f"{base}?tab={HANDLED}",
                    "label": gettext_lazy("Handled"),
                    "current": tab == HANDLED,
                },
            ],
        }


class _ItemMixin(InboxScopedMixin):
    inbox_model: ClassVar[type[Any]] = Referral
    kind: ClassVar[str] = "referral"

    def may_answer(self, item: Any) -> bool:
        return restrict_inbox(
            type(item)._default_manager.filter(pk=item.pk), self.user, Action.CHANGE
        ).exists()


class InboxItemView(_ItemMixin, TemplateView):
    template_name = "inbox/item.html"
    audit_purpose = "read inbox item"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        item = self.get_item()
        detail = inbox_detail(item=item, user=self.user, may_answer=self.may_answer(item))
        answer_urls = {
            outcome: reverse(
                f"inbox:{self.kind}_{VERBS[outcome]}", kwargs={self.pk_url_kwarg: item.pk}
            )
            for outcome in detail.outcomes
        }
        return {
            **super().get_context_data(**kwargs),
            "detail": detail,
            "answer_links": [
                {"url": answer_urls[code], "label": LABELS[code]} for code in detail.outcomes
            ],
        }


VERBS: dict[str, str] = {
    PartnerAnswerOutcome.ACCEPTED: "accept",
    PartnerAnswerOutcome.DECLINED: "decline",
    PartnerAnswerOutcome.DONE: "complete",
}
LABELS: dict[str, Any] = {
    PartnerAnswerOutcome.ACCEPTED: gettext_lazy("Accept"),
    PartnerAnswerOutcome.DECLINED: gettext_lazy("Decline"),
    PartnerAnswerOutcome.DONE: gettext_lazy("Mark as done"),
}
TITLES: dict[str, Any] = {
    PartnerAnswerOutcome.ACCEPTED: gettext_lazy("Accept"),
    PartnerAnswerOutcome.DECLINED: gettext_lazy("Decline, with the reason"),
    PartnerAnswerOutcome.DONE: gettext_lazy("Mark as done"),
}


class InboxAnswerView(OneTimeSubmissionMixin, ServiceFormMixin, _ItemMixin, FormView):
    """Accept, decline or complete (``as_view(outcome=..., inbox_model=..., kind=...)``).

    The form carries the item's version: a second partner user answering at the same time
    gets the conflict message (409) and nothing is overwritten. It also carries a one-time
    token: a double click sends the answer once and shows it, not a conflict with oneself."""

    action = Action.CHANGE
    form_class = InboxAnswerForm
    template_name = "inbox/answer.html"
    audit_purpose = "answer inbox item"
    success_message = gettext_lazy("Answer sent to the case director.")
    outcome: ClassVar[str] = PartnerAnswerOutcome.ACCEPTED

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        self.item = self.get_item()
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        return {**super().get_initial(), "version": self.item.version}

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "outcome": self.outcome}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "item": self.item,
            "title": TITLES[self.outcome],
            "item_url": reverse(f"inbox:{self.kind}", kwargs={self.pk_url_kwarg: self.item.pk}),
            "submit_label": LABELS[self.outcome],
        }

    def get_success_url(self) -> str:
        return reverse(f"inbox:{self.kind}", kwargs={self.pk_url_kwarg: self.item.pk})

    def perform(self, form: Any) -> None:
        inbox_answer(
            item=self.item,
            by=self.user,
            outcome=self.outcome,
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
        )


def _answer_patterns(kind: str, model: type[Any]) -> list[URLPattern]:
    return [
        path(
            f"{kind}s/<int:inbox_{kind}_pk>/{verb}/",
            InboxAnswerView.as_view(
                outcome=outcome, inbox_model=model, kind=kind, pk_url_kwarg=f"inbox_{kind}_pk"
            ),
            name=f"{kind}_{verb}",
        )
        for outcome, verb in VERBS.items()
    ]


urlpatterns: list[URLPattern] = [
    path("", InboxListView.as_view(), name="list"),
    path(
        "referrals/<int:inbox_referral_pk>/",
        InboxItemView.as_view(
            inbox_model=Referral, kind="referral", pk_url_kwarg="inbox_referral_pk"
        ),
        name="referral",
    ),
    path(
        "actions/<int:inbox_action_pk>/",
        InboxItemView.as_view(
            inbox_model=CaseAction, kind="action", pk_url_kwarg="inbox_action_pk"
        ),
        name="action",
    ),
    *_answer_patterns("referral", Referral),
    *_answer_patterns("action", CaseAction),
]
