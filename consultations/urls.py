from .views import craft, documents, liaison, minutes, planning

app_name = "consultations"

# Each part keeps its own URL list beside its views.
urlpatterns = (
    planning.urlpatterns
    + minutes.urlpatterns
    + liaison.urlpatterns
    + documents.urlpatterns
    + craft.urlpatterns
)
