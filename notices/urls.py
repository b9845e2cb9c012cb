from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("", views.NotificationListView.as_view(), name="list"),
    path("<int:notification_pk>/read/", views.NotificationReadView.as_view(), name="read"),
    path("read-all/", views.NotificationReadAllView.as_view(), name="read_all"),
    path("settings/", views.NoticePreferenceView.as_view(), name="settings"),
]
