from django.urls import path

from . import views

app_name = "second_factor"

urlpatterns = [
    path("login/code/", views.VerifyView.as_view(), name="verify"),
    path("login/enrol/", views.EnrolView.as_view(), name="enrol"),
    path("security/", views.SecurityView.as_view(), name="security"),
    path("security/recovery-codes/", views.RecoveryCodesView.as_view(), name="recovery_codes"),
    path(
        "security/recovery-codes/new/",
        views.NewRecoveryCodesView.as_view(),
        name="new_recovery_codes",
    ),
]
