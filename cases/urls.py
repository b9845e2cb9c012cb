from django.urls import path

from .views import (
    board,
    break_glass,
    children,
    core,
    documents,
    hits,
    journal,
    judicial,
    letters,
    lists,
    outcome,
    people,
    plan,
    printing,
    referrals,
    safety,
)

app_name = "cases"

urlpatterns = [
    path("break-glass/", break_glass.BreakGlassRequestView.as_view(), name="break_glass"),
    path(
        "break-glass/<int:break_glass_pk>/end/",
        break_glass.BreakGlassEndView.as_view(),
        name="break_glass_end",
    ),
    path(
        "break-glass/reviews/",
        break_glass.BreakGlassReviewListView.as_view(),
        name="break_glass_reviews",
    ),
    path(
        "break-glass/<int:break_glass_pk>/review/",
        break_glass.BreakGlassReviewView.as_view(),
        name="break_glass_review",
    ),
    path("new/", core.CaseRegisterView.as_view(), name="create"),
    path("new/consult/", core.CaseRegisterView.as_view(anonymous=True), name="create_consult"),
    path("<int:pk>/", core.CaseDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", core.CaseEditView.as_view(), name="update"),
    path("<int:pk>/track/", core.TrackChangeView.as_view(), name="track"),
    path("<int:pk>/status/", core.StatusChangeView.as_view(), name="status"),
    path("<int:pk>/close/", core.CloseView.as_view(), name="close"),
    path("<int:pk>/reopen/", core.ReopenView.as_view(), name="reopen"),
    path("<int:pk>/director/", core.DirectorChangeView.as_view(), name="director"),
    path("<int:pk>/co-directors/add/", core.CoDirectorAddView.as_view(), name="co_director_add"),
    path(
        "<int:pk>/co-directors/<int:co_director_pk>/remove/",
        core.CoDirectorRemoveView.as_view(),
        name="co_director_remove",
    ),
    path("<int:pk>/share/", core.CaseShareView.as_view(), name="share"),
    path(
        "<int:pk>/share/<int:organisation_pk>/revoke/",
        core.CaseRevokeShareView.as_view(),
        name="revoke_share",
    ),
]

# Each part of case work keeps its own URL list beside its views.
urlpatterns += (
    board.urlpatterns
    + people.urlpatterns
    + printing.urlpatterns
    + documents.urlpatterns
    + letters.urlpatterns
    + hits.urlpatterns
    + journal.urlpatterns
    + judicial.urlpatterns
    + outcome.urlpatterns
    + lists.urlpatterns
    + referrals.urlpatterns
    + safety.urlpatterns
    + children.urlpatterns
    + plan.urlpatterns
)
