"""Production settings: the environment must provide secrets and hosts."""

from django.core.exceptions import ImproperlyConfigured

from .settings import *  # noqa: F403
from .settings import FJC_S3_BUCKET, env, mailer, private_storage, secret

DEBUG = False
SECRET_KEY = secret("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# X-Forwarded-Proto is only a client's claim unless a proxy we run sets it (and drops what the
# client sent). Trust it only when the installation says such a proxy is in front; otherwise
# a client could make a plain-HTTP request look secure.
FJC_BEHIND_TLS_PROXY = env.bool("FJC_BEHIND_TLS_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if FJC_BEHIND_TLS_PROXY else None
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"

STORAGES = {
    "default": private_storage(FJC_S3_BUCKET),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# An invitation's link must not end up in a log: no console or file e-mail in production.
# Without EMAIL_URL: the host's own mail server.
MAILERS = {"default": mailer(env.str("EMAIL_URL", default="smtp://localhost:25"))}
if MAILERS["default"]["BACKEND"].rsplit(".", 2)[-2] in {"console", "filebased", "locmem", "dummy"}:
    raise ImproperlyConfigured("EMAIL_URL must name a real mail server (smtp://...) in production.")
