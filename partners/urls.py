from .views import urlpatterns

app_name = "partners"

__all__ = ["app_name", "urlpatterns"]
