"""The invitation link: the person sets their own password.

Reachable without a session (``login_not_required``). Following Django's
``PasswordResetConfirmView``, the token leaves the URL at once: it is kept in the session and
the browser is sent to a URL without it, so it does not leak through the Referer header, the
history or the access logs. An unknown, used, revoked or expired link gets one and the same
page, which says nothing about the account.
"""

from django.contrib.auth import authenticate, login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from .invitations import invitation_accept, invitation_valid

SESSION_KEY = "_invitation_token"


@method_decorator([login_not_required, never_cache], name="dispatch")
class InvitationLinkView(View):
    """Moves the token from the URL into the session."""

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        request.session[SESSION_KEY] = token
        return HttpResponseRedirect(reverse("accounts:invitation_set_password"))


@method_decorator([login_not_required, never_cache], name="dispatch")
class InvitationSetPasswordView(View):
    template_name = "accounts/invitation_set_password.html"
    invalid_template_name = "accounts/invitation_invalid.html"

    def _invalid(self, request: HttpRequest) -> HttpResponse:
        request.session.pop(SESSION_KEY, None)
        return render(request, self.invalid_template_name)

    def get(self, request: HttpRequest) -> HttpResponse:
        invitation = invitation_valid(request.session.get(SESSION_KEY))
        if invitation is None:
            return self._invalid(request)
        form = SetPasswordForm(invitation.user)
        return render(request, self.template_name, {"form": form, "account": invitation.user})

    def post(self, request: HttpRequest) -> HttpResponse:
        token = request.session.get(SESSION_KEY)
        invitation = invitation_valid(token)
        if token is None or invitation is None:
            return self._invalid(request)
        form = SetPasswordForm(invitation.user, request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "account": invitation.user})
        password = form.cleaned_data["new_password1"]
        user = invitation_accept(token=token, password=password, request=request)
        if user is None:
            return self._invalid(request)
        request.session.pop(SESSION_KEY, None)
        # Logged in with the password just chosen, like any login (axes and the login audit
        # see it); the second factor comes next (the two-factor middleware).
        authenticated = authenticate(request, username=user.get_username(), password=password)
        if authenticated is None:
            return redirect("login")
        login(request, authenticated)
        return redirect("home")
