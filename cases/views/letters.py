"""Letters from templates: the page "Write a letter" of a case's documents. Choose the letter
(a link per letter), the addressee and the letter's own fields; the PDF is made at once and
stored as a confidential document of the case (cases.services.letters). Thin view."""

from typing import Any

from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy

from common.submission import OneTimeSubmissionMixin

from ..forms.letters import LETTER_FORMS
from ..models import ReferralDirection
from ..selectors.people import case_parties
from ..selectors.referrals import case_referrals
from ..services.letters import LETTERS, letter_create
from .base import CaseFormView

# The letter the page opens on when none is chosen in the query (``?letter=``).
FIRST_LETTER = "invitation"


class LetterCreateView(OneTimeSubmissionMixin, CaseFormView):
    template_name = "cases/letters/form.html"
    title = gettext_lazy("Write a letter")
    submit_label = gettext_lazy("Make the letter")
    success_message = gettext_lazy("Letter made; it is listed among the documents.")
    audit_purpose = "write case letter"
    letter: str

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # The letter is in the query, so the form posts back to the same letter.
        self.letter = request.GET.get("letter") or FIRST_LETTER
        if self.letter not in LETTERS:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self) -> Any:
        return LETTER_FORMS[self.letter]

    def get_initial(self) -> dict[str, Any]:
        return {}

    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            **super().get_form_kwargs(),
            "parties": case_parties(case=self.case, user=self.user).order_by(
                "-is_victim",
                "-is_perpetrator",
                "position",
                "person__last_name",
                "person__first_name",
                "pk",
            ),
            "referrals": case_referrals(case=self.case, user=self.user).filter(
                direction=ReferralDirection.OUTGOING
            ),
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        base = reverse("cases:letter_create", kwargs={"pk": self.case.pk})
        return {
            **super().get_context_data(**kwargs),
            "letter": LETTERS[self.letter],
            "letters": [
                {
                    "url": f"{base}?letter={code}",
                    "title": letter.title,
                    "current": code == self.letter,
                }
                for code, letter in LETTERS.items()
            ],
            # The closing letter waits for the case to be closed: said before it is sent.
            "waits_for_closing": self.letter == "closing" and not self.case.is_closed,
            "documents_url": reverse("cases:documents", kwargs={"pk": self.case.pk}),
        }

    def get_success_url(self) -> str:
        return reverse("cases:documents", kwargs={"pk": self.case.pk})

    def perform(self, form: Any) -> None:
        data = form.cleaned_data
        letter_create(
            case=self.case,
            by=self.user,
            letter=self.letter,
            addressee=data.get("addressee"),
            referral=data.get("referral"),
            fields=data,
        )


urlpatterns: list[URLPattern] = [
    path("<int:pk>/documents/letter/", LetterCreateView.as_view(), name="letter_create"),
]
