from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.text import format_lazy
from django.utils.translation import pgettext_lazy
from django.views.i18n import set_language

from access.second_factor.views import PasswordStepView, second_factor_not_required
from cases.views import inbox as inbox_views
from cases.views import registrations as registration_views
from cases.views.gaps import GapSignalView
from partners.urls import urlpatterns as partner_urlpatterns

from . import views

# The admin carries the installation's name ("Veilig Huis Mechelen · Beheer"), not Django's.
admin.site.site_header = admin.site.site_title = format_lazy(
    "{} · {}", settings.FJC_INSTALLATION_NAME, pgettext_lazy("admin site", "Administration")
)

# Signalling a gap is a case form (cases.views.gaps, a layer above partners), but the page
# belongs with the network's gaps: it keeps its name in the partners namespace.
partner_pages = [
    *partner_urlpatterns,
    path("cases/<int:pk>/gaps/add/", GapSignalView.as_view(), name="gap_signal"),
]

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    # Readiness (database, Redis, worker) and liveness (the process answers): fjc.health.
    path("health/", views.health, name="health"),
    path("health/live/", views.health_live, name="health_live"),
    # The password; then the second factor (access.second_factor: the code step, enrolment,
    # "My security").
    path("login/", PasswordStepView.as_view(), name="login"),
    path("logout/", second_factor_not_required(auth_views.LogoutView.as_view()), name="logout"),
    path("", include("access.second_factor.urls")),
    path("accounts/", include("accounts.urls")),
    # The language can be chosen on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("cases/", include("cases.urls")),
    path("cases/", include("risk.urls")),
    path("consultations/", include("consultations.urls")),
    # Registrations by partners and their triage (issue 19): cases.views.registrations.
    path(
        "registrations/",
        include((registration_views.urlpatterns, registration_views.app_name)),
    ),
    # The partner inbox (issue 19, part 3): cases.views.inbox.
    path("inbox/", include((inbox_views.urlpatterns, inbox_views.app_name))),
    path("", include((partner_pages, "partners"))),
    path("reporting/", include("reporting.urls")),
    path("notices/", include("notices.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "fjc.errors.bad_request"
handler403 = "fjc.errors.permission_denied"
handler404 = "fjc.errors.page_not_found"
handler500 = "fjc.errors.server_error"
