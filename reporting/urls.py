from .views import audit, dashboard, funding, published, report, workload

app_name = "reporting"

# Each page module keeps its own list, so the funding and the report pages grow apart.
urlpatterns = (
    funding.urlpatterns
    + report.urlpatterns
    + published.urlpatterns
    + dashboard.urlpatterns
    + audit.urlpatterns
    + workload.urlpatterns
)
