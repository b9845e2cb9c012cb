"""Hit notices: marking one as read (they are listed on the home page and on their case)."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.generic import View

from access import audit
from access.models import AuditAction
from access.policy import restrict
from access.views import CaseScopedMixin

from ..models import Case, HitNotice
from ..services.hits import hit_notice_mark_read


class HitNoticeReadView(CaseScopedMixin, View):
    """The recipient marks a notice on a case they may see as read. Anyone else, including
    colleagues on the same case, gets the answer for a notice that does not exist (404)."""

    model = Case
    audit_purpose = "mark hit notice read"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int, notice_pk: int) -> HttpResponseRedirect:
        case = self.get_object()
        notice = restrict(HitNotice.objects.filter(case=case, pk=notice_pk), self.user).first()
        if notice is None:
            audit.record(
                user=self.user,
                action=AuditAction.DENIED,
                request=request,
                object_type="cases.hitnotice",
                object_id=notice_pk,
                case_id=case.pk,
                purpose="out of scope",
            )
            raise Http404
        hit_notice_mark_read(notice=notice, by=self.user)
        messages.success(request, _("Notice marked as read."))
        if request.POST.get("back") == "home":
            return redirect("home")
        return redirect("cases:detail", pk=case.pk)


urlpatterns: list[URLPattern] = [
    path(
        "<int:pk>/hit-notices/<int:notice_pk>/read/",
        HitNoticeReadView.as_view(),
        name="hit_notice_read",
    ),
]
