"""The deadline board (``cases.selectors.board``): its own page, with filters."""

from typing import Any

from django.urls import URLPattern, path
from django.views.generic import TemplateView

from access import audit
from access.policy import is_active_case_director
from access.views import CaseWorkRequiredMixin

from ..forms.board import BoardFilterForm
from ..models import Case
from ..selectors.board import DEFAULT_PERIOD, BoardScope, deadline_board


class BoardView(CaseWorkRequiredMixin, TemplateView):
    """Every case-working role opens it from the navigation. A case director starts from
    their own cases and actions; someone who directs no case (the prosecutor liaison, a
    police or partner professional) from every case they may see, i.e. those shared with
    their organisation."""

    template_name = "cases/board.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        default_scope = (
            BoardScope.MINE if is_active_case_director(self.user) else BoardScope.ORGANISATION
        )
        data = None
        if self.request.GET:
            # A period or scope left out means the default, shown as chosen.
            data = self.request.GET.copy()
            data.setdefault("period", DEFAULT_PERIOD.value)
            data.setdefault("scope", default_scope.value)
        form = BoardFilterForm(data, default_scope=default_scope)
        kinds, period, scope = form.filters()
        board = deadline_board(user=self.user, scope=scope, period=period, kinds=kinds)
        # The page names cases by reference and label, as a case list does.
        audit.record_list(
            user=self.user,
            model=Case,
            ids=board.case_ids,
            request=self.request,
            purpose="deadline board",
        )
        context.update(form=form, board=board, filtered=bool(self.request.GET))
        return context


urlpatterns: list[URLPattern] = [
    path("deadlines/", BoardView.as_view(), name="board"),
]
