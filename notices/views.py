"""The user's own notices and their e-mail preferences. Every query starts from
``request.user``: another user's notice is a 404, whatever its number."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView

from access.views import AuthenticatedView
from common.views import ServiceFormMixin

from . import services
from .forms import NoticePreferenceForm


class NotificationListView(AuthenticatedView, ListView):
    template_name = "notices/list.html"
    context_object_name = "notices"
    paginate_by = 50

    def get_queryset(self) -> Any:
        return services.notices_of(self.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["unread"] = services.unread_count(self.user)
        return context


class NotificationReadView(AuthenticatedView):
    """POST: mark one of my notices read; back to the list, or on to where it is handled
    (``open``)."""

    def post(self, request: HttpRequest, notification_pk: int) -> HttpResponse:
        notice = services.mark_read(user=self.user, pk=notification_pk)
        if notice is None:
            raise Http404
        if request.POST.get("open"):
            return HttpResponseRedirect(notice.url)
        return redirect(reverse("notices:list") + f"#notice-{notice.pk}")


class NotificationReadAllView(AuthenticatedView):
    def post(self, request: HttpRequest) -> HttpResponse:
        count = services.mark_all_read(user=self.user)
        messages.success(request, _("%(count)s notices marked as read.") % {"count": count})
        return redirect("notices:list")


class NoticePreferenceView(AuthenticatedView, ServiceFormMixin, FormView):
    template_name = "notices/settings.html"
    form_class = NoticePreferenceForm
    success_message = ""

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["preference"] = services.preference_for(self.user)
        return kwargs

    def perform(self, form: Any) -> None:
        data = form.cleaned_data
        services.preference_update(
            user=self.user,
            version=data["version"],
            digest_email=data["digest_email"],
            email_kinds=data["email_kinds"],
        )
        messages.success(self.request, _("Your notice settings are saved."))

    def get_success_url(self) -> str:
        return reverse("notices:settings")
