"""The pages of the second factor: the code step of a login, enrolment, the recovery codes
(shown once) and "My security". Thin: the rules are in ``devices`` and ``remember``."""

import base64
from collections.abc import Callable
from typing import Any

import segno
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.models import User

from . import devices, remember

FRESH_CODES = "fjc_fresh_recovery_codes"
AFTER_CODES = "fjc_after_recovery_codes"


def second_factor_not_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """A page a signed-in user reaches before the second factor (the code step, enrolment,
    logout); ``fjc.middleware.SecondFactorRequiredMiddleware`` reads the mark."""
    view.second_factor_required = False  # type: ignore[attr-defined]
    return view


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=32, strip=True)
    remember = forms.BooleanField(label=gettext_lazy("Remember this device"), required=False)


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


def _with_next(url_name: str, target: str) -> str:
    # Encoded as redirect_to_login does (the middleware's redirects look the same).
    query = QueryDict(mutable=True)
    query["next"] = target
    return f"{reverse(url_name)}?{query.urlencode(safe='/')}"


class PasswordStepView(auth_views.LoginView):
    """Django's login form (django-axes in front): the password, then the code step."""

    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        return _with_next("second_factor:verify", super().get_success_url())


@method_decorator(second_factor_not_required, name="dispatch")
class VerifyView(View):
    """The second step: a TOTP code or a recovery code. A wrong code is a failed login for
    django-axes (the same lockout per account and per source, the LOGIN_FAILED row); a
    locked account cannot pass it."""

    template_name = "second_factor/verify.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        assert isinstance(user, User)  # LoginRequiredMiddleware sent the anonymous away
        if user.is_verified():  # type: ignore[attr-defined]
            return redirect(_next(request))
        if not devices.has_second_factor(user):
            return redirect(_with_next("second_factor:enrol", _next(request)))
        if remember.is_remembered(request, user):
            device = devices.confirmed_totp(user)
            assert device is not None
            devices.complete_login(request=request, user=user, device=device)
            return redirect(_next(request))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request, CodeForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        assert isinstance(user, User)
        credentials = {"username": user.get_username()}
        if AxesProxyHandler.is_locked(request, credentials):
            return self._locked_out(request)
        form = CodeForm(request.POST)
        device = devices.check_code(user, form.data.get("code", "")) if form.is_valid() else None
        if device is None:
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                return self._locked_out(request)
            form.add_error(None, _("That code is not right. Please try again."))
            return self._page(request, form)
        devices.complete_login(request=request, user=user, device=device)
        response = redirect(_next(request))
        if form.cleaned_data.get("remember"):
            remember.remember(response, user)
        return response

    def _page(self, request: HttpRequest, form: CodeForm) -> HttpResponse:
        context = {"form": form, "next": _next(request), "remember_offered": remember.offered()}
        return render(request, self.template_name, context)

    @staticmethod
    def _locked_out(request: HttpRequest) -> HttpResponse:
        logout(request)
        messages.error(request, _("Too many attempts. Please try again later."))
        return redirect("login")


class EnrolForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code from the app"), max_length=16, strip=True)


@method_decorator(second_factor_not_required, name="dispatch")
class EnrolView(View):
    """Enrol a TOTP app: at the first login, or again from "My security". A session that is
    not verified yet may enrol only when the account has no second factor at all: otherwise
    the password alone would be enough to replace the factor."""

    template_name = "second_factor/enrol.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        assert isinstance(user, User)
        if not user.is_verified() and devices.has_second_factor(user):  # type: ignore[attr-defined]
            return redirect(_with_next("second_factor:verify", _next(request)))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request, EnrolForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        assert isinstance(user, User)
        form = EnrolForm(request.POST)
        device = devices.enrolment_device(user)
        codes = None
        if form.is_valid():
            codes = devices.confirm_enrolment(
                request=request, user=user, device=device, code=form.cleaned_data["code"]
            )
        if codes is None:
            form.add_error("code", _("That code is not right. Please try again."))
            return self._page(request, form)
        if not user.is_verified():  # type: ignore[attr-defined]
            devices.complete_login(request=request, user=user, device=device)
        request.session[FRESH_CODES] = codes
        request.session[AFTER_CODES] = _next(request)
        return redirect("second_factor:recovery_codes")

    def _page(self, request: HttpRequest, form: EnrolForm) -> HttpResponse:
        device = devices.enrolment_device(request.user)  # type: ignore[arg-type]
        secret = base64.b32encode(device.bin_key).decode()
        context = {
            "form": form,
            "next": _next(request),
            "qr_code": segno.make(device.config_url, error="m").svg_data_uri(scale=4),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "first_time": not devices.has_second_factor(request.user),  # type: ignore[arg-type]
        }
        return render(request, self.template_name, context)


class RecoveryCodesView(View):
    """The recovery codes just issued, shown once: a reload does not show them again."""

    def get(self, request: HttpRequest) -> HttpResponse:
        codes = request.session.pop(FRESH_CODES, None)
        after = request.session.pop(AFTER_CODES, reverse("home"))
        if not codes:
            return redirect("second_factor:security")
        return render(
            request, "second_factor/recovery_codes.html", {"codes": codes, "continue_to": after}
        )


class SecurityView(View):
    """My security: the TOTP app in use, the recovery codes left, and the ways to change them."""

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        assert isinstance(user, User)
        context = {
            "device": devices.confirmed_totp(user),
            "codes_left": devices.recovery_codes_left(user),
        }
        return render(request, "second_factor/security.html", context)


class NewRecoveryCodesView(View):
    """New recovery codes (the old ones stop working; the other sessions end)."""

    def post(self, request: HttpRequest) -> HttpResponseRedirect:
        user = request.user
        assert isinstance(user, User)
        request.session[FRESH_CODES] = devices.regenerate_recovery_codes(request=request, user=user)
        request.session[AFTER_CODES] = reverse("second_factor:security")
        return redirect("second_factor:recovery_codes")
