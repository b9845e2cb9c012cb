from django.apps import AppConfig


class FjcConfig(AppConfig):
    """The project package as an app, for what belongs to no single domain app: the demo
    data command (``seed_demo``) builds cases, consultations and figures, so it lives at the
    top of the layers."""

    name = "fjc"
    verbose_name = "FJC"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deploy checks)
