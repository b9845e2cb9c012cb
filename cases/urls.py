from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.CaseListView.as_view(), name="list"),
    path("export.csv", views.CaseExportView.as_view(), name="export"),
    path("new/", views.CaseCreateView.as_view(), name="create"),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.CaseUpdateView.as_view(), name="update"),
    path("<int:pk>/history/", views.CaseHistoryView.as_view(), name="history"),
    path("<int:pk>/share/", views.CaseShareView.as_view(), name="share"),
    path(
        "<int:pk>/share/<int:organisation_pk>/revoke/",
        views.CaseRevokeShareView.as_view(),
        name="revoke_share",
    ),
]
