from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("invitation/<str:token>/", views.InvitationLinkView.as_view(), name="invitation"),
    path(
        "invitation/",
        views.InvitationSetPasswordView.as_view(),
        name="invitation_set_password",
    ),
]
