"""Risk assessment URLs, mounted under cases/ so every page sits inside its case."""

from django.urls import path

from . import views

app_name = "risk"

urlpatterns = [
    path("<int:pk>/risk/", views.RiskListView.as_view(), name="list"),
    path("<int:pk>/risk/new/", views.AssessmentChooseView.as_view(), name="create"),
    path(
        "<int:pk>/risk/new/<int:version_pk>/",
        views.AssessmentFillView.as_view(),
        name="fill",
    ),
    path(
        "<int:pk>/risk/<int:assessment_pk>/",
        views.AssessmentDetailView.as_view(),
        name="detail",
    ),
    path(
        "<int:pk>/risk/<int:assessment_pk>/raise/",
        views.AssessmentRaiseView.as_view(),
        name="raise",
    ),
    path("<int:pk>/risk/joint/new/", views.JointCreateView.as_view(), name="joint_create"),
    path(
        "<int:pk>/risk/joint/<int:joint_pk>/",
        views.JointDetailView.as_view(),
        name="joint_detail",
    ),
    path("<int:pk>/risk/decision/", views.DecisionView.as_view(), name="decide"),
    path(
        "<int:pk>/risk/suggestion/dismiss/",
        views.DismissSuggestionView.as_view(),
        name="dismiss_suggestion",
    ),
]
