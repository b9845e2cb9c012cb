"""The case lists (with search and CSV export) and a case's full change history."""

import hashlib
import itertools
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponseRedirect, StreamingHttpResponse
from django.urls import URLPattern, path, reverse
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView, View

from access import audit
from access.models import AuditAction
from access.parts import CasePart
from access.views import CaseScopedMixin, CaseWorkRequiredMixin
from accounts.models import User
from accounts.roles import RoleCode
from common.spreadsheet import csv_streaming_response

from .. import selectors
from ..forms.lists import CaseSearchForm
from ..models import Case
from ..selectors.lists import DEFAULT_SORT, SCOPE_LABELS, SORTS, CaseListFilter, Scope

# Search terms never appear in a URL (browser history, proxy and server logs, Referer
# headers) nor in the session (the session table, or a signed cookie, would keep client names
# in plain text): the term lives in the server's cache under a digest of a random token, for
# the idle timeout; the session keeps only the tokens of its last searches (no personal data),
# so a token works in its own session only. The list reads ``?search=<token>``.
SEARCH_SESSION_KEY = "case_search_tokens"
# Where sessions kept the plain terms before issue 13: dropped when such a session is next used.
LEGACY_SEARCH_SESSION_KEY = "case_searches"
SEARCHES_KEPT = 10
# GET parameters the list understands; anything else is dropped when redirecting.
FILTER_PARAMETERS = tuple(name for name in CaseListFilter.base_filters if name != "sort")
LIST_PARAMETERS = ("scope", *FILTER_PARAMETERS, "sort")


def search_cache_key(token: str) -> str:
    # A digest: the cache's key list shows no token that a URL could carry.
    return "case-search:" + hashlib.sha256(token.encode()).hexdigest()


def remember_search(session: SessionBase, term: str) -> str:
    session.pop(LEGACY_SEARCH_SESSION_KEY, None)
    token = secrets.token_urlsafe(16)
    tokens = [t for t in session.get(SEARCH_SESSION_KEY, []) if isinstance(t, str)]
    tokens.append(token)
    while len(tokens) > SEARCHES_KEPT:
        cache.delete(search_cache_key(tokens.pop(0)))
    cache.set(search_cache_key(token), term, timeout=settings.SESSION_COOKIE_AGE)
    session[SEARCH_SESSION_KEY] = tokens
    return token


def recall_search(session: SessionBase, token: str) -> str | None:
    session.pop(LEGACY_SEARCH_SESSION_KEY, None)
    if token not in session.get(SEARCH_SESSION_KEY, []):
        return None
    key = search_cache_key(token)
    term = cache.get(key)
    if not isinstance(term, str):
        return None
    # Kept while the list is in use, like the session itself.
    cache.touch(key, timeout=settings.SESSION_COOKIE_AGE)
    return term


@dataclass
class ListRequest:
    """What the list and the export read from a request: the same for both."""

    scope: Scope
    search_token: str
    search: str
    search_expired: bool

    @classmethod
    def read(cls, request: HttpRequest, user: User) -> "ListRequest":
        token = request.GET.get("search", "")
        term = recall_search(request.session, token) if token else None
        return cls(
            scope=selectors.parse_scope(user, request.GET.get("scope")),
            search_token=token if term else "",
            search=term or "",
            search_expired=bool(token) and term is None,
        )

    def cases(self, request: HttpRequest, user: User) -> Any:
        return selectors.case_list(
            user=user, scope=self.scope, filters=request.GET, search=self.search
        )

    def count(self, request: HttpRequest, user: User) -> int:
        return selectors.case_count(
            user=user, scope=self.scope, filters=request.GET, search=self.search
        )

    def page(self, request: HttpRequest, user: User, offset: int, limit: int, total: int) -> Any:
        return selectors.case_list_page(
            user=user,
            scope=self.scope,
            filters=request.GET,
            search=self.search,
            offset=offset,
            limit=limit,
            total=total,
        )


class CaseListPaginator(Paginator):
    """Counts with ``count()`` (``selectors.case_count``: the rows without their columns),
    reads a page's rows with ``rows(offset, limit, total)`` (``selectors.case_list_page``:
    the query shape that suits the page, see there)."""

    def __init__(self, count: Any, per_page: int, rows: Any) -> None:
        super().__init__([], per_page)
        self.rows = rows
        self.count_rows = count

    @cached_property
    def count(self) -> int:
        return int(self.count_rows())

    def page(self, number: Any) -> Any:
        number = self.validate_number(number)
        offset = (number - 1) * self.per_page
        return Page(self.rows(offset, self.per_page, self.count), number, self)


class CaseListView(CaseWorkRequiredMixin, ListView):
    template_name = "cases/case_list.html"
    context_object_name = "cases"
    paginate_by = 25
    list_request: ListRequest

    def get_queryset(self) -> Any:
        # The paginator counts and reads the page itself (get_paginator): no queryset here.
        self.list_request = ListRequest.read(self.request, self.user)
        return []

    def get_paginator(self, queryset: Any, per_page: int, *args: Any, **kwargs: Any) -> Any:
        def count() -> int:
            return self.list_request.count(self.request, self.user)

        def rows(offset: int, limit: int, total: int) -> Any:
            return self.list_request.page(self.request, self.user, offset, limit, total)

        return CaseListPaginator(count, per_page, rows)

    def _columns(self) -> dict[str, dict[str, str]]:
        current = self.request.GET.get("sort") or DEFAULT_SORT
        if current.removeprefix("-") not in SORTS:
            current = DEFAULT_SORT
        labels = {
            "reference": _("Reference"),
            "registered": _("Registered on"),
            "track": _("Track"),
            "status": _("Status"),
            "municipality": _("Municipality"),
        }
        columns = {}
        for key, label in labels.items():
            active = current.removeprefix("-") == key
            descending = current.startswith("-")
            columns[key] = {
                "label": label,
                # A click on the sorted column turns it around; on another column sorts by it.
                "next": f"-{key}" if active and not descending else key,
                "aria_sort": ("descending" if descending else "ascending") if active else "",
            }
        return columns

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        shown = self.list_request
        audit.record_list(
            user=self.user,
            model=Case,
            request=self.request,
            ids=[c.pk for c in context["cases"]],
            purpose="case search" if shown.search else "case list",
        )
        context.update(
            scope=shown.scope,
            scopes=[(s, SCOPE_LABELS[s]) for s in selectors.scopes_for(self.user)],
            filter_form=CaseListFilter(self.request.GET).form,
            search_form=CaseSearchForm(initial={"q": shown.search}),
            search_token=shown.search_token,
            search_expired=shown.search_expired,
            columns=self._columns(),
            sort=self.request.GET.get("sort", ""),
            filters_active=any(self.request.GET.get(name) for name in FILTER_PARAMETERS),
            can_register=self.user.has_role(RoleCode.CASE_DIRECTOR)
            and self.user.organisation_id is not None,
        )
        return context


class CaseSearchView(CaseWorkRequiredMixin, View):
    """Takes the search term by POST and sends the browser to the list with a token, on the
    "all" tab (issue 16: search is not limited to the tab it was typed in)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponseRedirect:
        params = request.GET.copy()
        for name in list(params):
            if name not in LIST_PARAMETERS:
                del params[name]
        form = CaseSearchForm(request.POST)
        if not form.is_valid():
            for error in form.errors.get("q", []):
                messages.error(request, str(error))
        elif term := form.cleaned_data["q"]:
            params["search"] = remember_search(request.session, term)
            # A search looks across every case the user may see; the tabs then narrow it.
            params["scope"] = Scope.ALL.value
        query = params.urlencode()
        return HttpResponseRedirect(reverse("cases:list") + (f"?{query}" if query else ""))


# Rows fetched from the database at a time while the export streams.
EXPORT_CHUNK_SIZE = 2000


class CaseExportView(CaseWorkRequiredMixin, View):
    """The list as CSV: the same selector, scope, filters and search as the page.

    Streamed: the file is written while the cases are read, ``EXPORT_CHUNK_SIZE`` at a time,
    so memory does not grow with the number of cases. The audit row names every exported
    case before the first byte leaves, as before; a case that enters the selection between
    that row and the streaming is left out of the file rather than exported unaudited.
    """

    def get(self, request: HttpRequest) -> StreamingHttpResponse:
        cases = ListRequest.read(request, self.user).cases(request, self.user)
        ids = list(cases.values_list("pk", flat=True))
        audit.record_list(
            user=self.user,
            model=Case,
            request=request,
            ids=ids,
            purpose="case list export",
            action=AuditAction.EXPORT,
        )
        header = [
            _("Reference"),
            _("Organisation"),
            _("Case director"),
            _("Track"),
            _("Status"),
            _("Municipality"),
            _("Registered on"),
            _("Repeat"),
            _("Overdue actions"),
        ]
        audited = set(ids)
        del ids
        language = translation.get_language()

        def rows() -> Iterator[tuple[object, ...]]:
            # Read as the response is sent, after this view has returned: in the language
            # of the request, whatever the server has active then.
            with translation.override(language):
                yes, no = _("Yes"), _("No")
                for c in cases.iterator(chunk_size=EXPORT_CHUNK_SIZE):
                    if c.pk not in audited:
                        continue
                    yield (
                        c.reference,
                        c.owner_organisation.name,
                        str(c.case_director),
                        c.track,
                        c.get_status_display(),
                        c.municipality.name if c.municipality else "",
                        c.opened_on.isoformat(),
                        yes if c.shown_repeat else no,
                        "" if c.overdue_actions is None else c.overdue_actions,
                    )

        # The Belgian Excel dialect (";", UTF-8 with BOM), every cell formula-safe.
        return csv_streaming_response(itertools.chain([header], rows()), filename="cases.csv")


class CaseHistoryView(CaseScopedMixin, DetailView):
    """Everything that changed in the case, from the change history, newest first."""

    model = Case
    case_part = CasePart.FILE  # every change of every part
    template_name = "cases/case_history.html"
    context_object_name = "case"
    audit_purpose = "case history"
    paginate_by = 50

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        history = selectors.case_full_history(user=self.user, case_pk=self.object.pk)
        page = Paginator(history, self.paginate_by).get_page(self.request.GET.get("page"))
        context.update(page_obj=page, entries=page.object_list, is_paginated=page.has_other_pages())
        return context


urlpatterns: list[URLPattern] = [
    path("", CaseListView.as_view(), name="list"),
    path("search/", CaseSearchView.as_view(), name="search"),
    path("export.csv", CaseExportView.as_view(), name="export"),
    path("<int:pk>/history/", CaseHistoryView.as_view(), name="history"),
]
