"""Settings, read from the environment.

With no environment at all this is the *embedded default*: SQLite in the
git-ignored ``var/`` folder, Celery tasks run in-process, debug on, for one
machine. ``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and Redis.
``fjc.settings_production`` hardens this module for deployment.
"""

import os
from datetime import date, timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env") if (BASE_DIR / ".env").exists() else None


def secret(name: str, default: str | None = None) -> str:
    """A secret from the file that ``<name>_FILE`` names (Docker secrets, mounted under
    /run/secrets: never in the environment, where ``docker inspect`` and child processes see
    it), else from ``<name>`` itself, else the default; without any of them: refused."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            # A trailing newline is the editor's, not the secret's.
            return Path(path).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as error:
            raise ImproperlyConfigured(f"{name}_FILE: {error}") from error
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set {name} or {name}_FILE.")
    return value


DEBUG = env.bool("DJANGO_DEBUG", default=True)
# The embedded default may use a fixed development key; production refuses it.
SECRET_KEY = secret("DJANGO_SECRET_KEY", default="embedded-development-key-not-for-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

# The installation's public name: "FJC Mechelen", "Veilig Huis Mechelen", ...
FJC_INSTALLATION_NAME = env.str("FJC_INSTALLATION_NAME", default="Veilig Huis Mechelen")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "guardian",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "common",
    "accounts",
    "partners",
    "access",
    "notices",
    "cases",
    "risk",
    "consultations",
    "reporting",
    "fjc",
]

MIDDLEWARE = [
    # First, so that static files (WhiteNoise) carry the header too.
    "fjc.middleware.PermissionsPolicyMiddleware",
    # A view that cannot reach the database or Redis answers the Dutch 503 page with
    # Retry-After (fjc.errors). Near the top: its process_exception runs after every other's.
    "fjc.middleware.OutageMiddleware",
    # The audit rows of a GET go into the database in one INSERT when it ends, error or not
    # (access.audit.batched): before everything that may fail or record.
    "fjc.middleware.AuditBatchMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The idle timeout's expiry moved forward at most once a minute, not with an UPDATE on
    # every request (fjc.middleware): right after SessionMiddleware, last before the save.
    "fjc.middleware.SessionRenewalMiddleware",
    "fjc.middleware.DutchFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Which device verified this session (django-otp), then: a signed-in user whose session
    # is not verified reaches only the second-factor pages (fjc.middleware).
    "django_otp.middleware.OTPMiddleware",
    "fjc.middleware.SecondFactorRequiredMiddleware",
    # Responses to a signed-in user are never stored by the browser (common.caching).
    "fjc.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the messages (it leaves one), before any view: LoginRequiredMiddleware's check.
    "fjc.middleware.AbsoluteSessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a refused (locked-out) login into its answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fjc.urls"
WSGI_APPLICATION = "fjc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fjc.context_processors.installation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'fjc.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    VAR_DIR.mkdir(exist_ok=True)
else:
    # An unreachable database server fails a request in seconds (a 503), not after minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    # No JIT compilation for the application's own queries (issue 20): they are short
    # (OLTP), and PostgreSQL's JIT, triggered by cost estimates alone, spent seconds compiling
    # list counts and deep pages whose estimates ran high (docs/architecture.md, "Query
    # shapes"). Set per connection, so a server's default stays as it is for other clients.
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
# Each process keeps its connection for a minute, and checks it before reusing it at the
# start of a request: a restarted PostgreSQL is picked up by the next request, without
# restarting gunicorn or the worker (issue 15: no 500s after a database restart).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("FJC_DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The password may come from a file instead (compose: a Docker secret), the URL then has none.
if os.environ.get("DATABASE_PASSWORD_FILE"):
    DATABASES["default"]["PASSWORD"] = secret("DATABASE_PASSWORD")
# A PostgreSQL read replica (streaming replication, or a managed PostgreSQL's read endpoint)
# for the aggregate reporting reads, and only those (common.db_routing): set
# DATABASE_REPLICA_URL (and DATABASE_REPLICA_PASSWORD_FILE) to use one. Everything else, and
# every write, stays on "default". In tests the alias mirrors the test database.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = env.db_url("DATABASE_REPLICA_URL")
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    if os.environ.get("DATABASE_REPLICA_PASSWORD_FILE"):
        DATABASES["replica"]["PASSWORD"] = secret("DATABASE_REPLICA_PASSWORD")
DATABASE_ROUTERS = ["common.db_routing.ReportingReplicaRouter"]
# The application's own database role (access/database_roles.py). Set where the migrations
# run as the owner of the tables: each migrate then grants this role its privileges again.
FJC_APP_DB_ROLE = env.str("FJC_APP_DB_ROLE", default="")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses every login attempt of a locked-out account or source, before any
    # password is checked (django-axes).
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, whose get_user reads the user's organisation in the same query
    # (every page shows it). A session signed in through another backend path (before this
    # one was named here) is refused once: its user signs in again.
    "accounts.backends.UserWithOrganisationBackend",
    # What the administrator role may do in /admin/ (model permissions only).
    "accounts.backends.RolePermissionBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# guardian: no anonymous user, ever.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Brute-force protection (django-axes, database handler). After this many failed logins an
# account (whatever the source) and a source (whatever the account) are each locked for the
# cool-off period. A locked-out attempt gets the answer of a wrong password
# (accounts.login.same_answer_when_locked), for existing and unknown usernames alike.
AXES_FAILURE_LIMIT = env.int("FJC_LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("FJC_LOGIN_COOLOFF_MINUTES", default=30))
if not 1 <= AXES_FAILURE_LIMIT <= 30 or AXES_COOLOFF_TIME.total_seconds() < 60:
    # Issue 14: thirty wrong passwords must lock, for a real while.
    raise ImproperlyConfigured(
        "FJC_LOGIN_FAILURE_LIMIT must be between 1 and 30 and FJC_LOGIN_COOLOFF_MINUTES at least 1."
    )
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A login succeeds only with the second factor: the count is cleared then
# (access.second_factor.devices.complete_login), not when the password alone was right, so
# wrong codes after a right password keep counting towards the lockout.
AXES_RESET_ON_SUCCESS = False
# Attempts during a lockout do not extend it: the lock ends a known time after the last
# counted failure (otherwise anyone could keep a colleague's account locked indefinitely).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.login.same_answer_when_locked"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# Successful logins and logouts are in the audit trail (access.login_events): one record, not
# a second, unguarded one in axes' access log.
AXES_DISABLE_ACCESS_LOG = True
# The source is the connection's address. X-Forwarded-For is a client's claim: it counts only
# when the installation says this many proxies it runs are in front (each appends one address).
FJC_TRUSTED_PROXY_COUNT = env.int("FJC_TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "accounts.login.client_address"

# Two-factor login (django-otp): a TOTP app, and single-use recovery codes.
OTP_TOTP_ISSUER = FJC_INSTALLATION_NAME
# "Remember this device": the code step is skipped for this many hours in that browser (never
# the password); 0 turns the choice off. At most a month.
FJC_REMEMBER_DEVICE_HOURS = env.int("FJC_REMEMBER_DEVICE_HOURS", default=12)
FJC_REMEMBER_DEVICE_MAX_HOURS = 720
if not 0 <= FJC_REMEMBER_DEVICE_HOURS <= FJC_REMEMBER_DEVICE_MAX_HOURS:
    raise ImproperlyConfigured(
        f"FJC_REMEMBER_DEVICE_HOURS must be between 0 and {FJC_REMEMBER_DEVICE_MAX_HOURS}."
    )
# The demo's shortcut (scripts/demo.sh sets it): `manage.py demo_code` prints the current code
# of a demo account. `check --deploy` fails while it is on (fjc.checks).
FJC_DEMO = env.bool("FJC_DEMO", default=False)
# Invitations: an administrator creates an account without a password; the person sets their
# own through a one-time link that expires after this many hours (1 hour to 14 days).
FJC_INVITATION_HOURS = env.int("FJC_INVITATION_HOURS", default=72)
if not 1 <= FJC_INVITATION_HOURS <= 14 * 24:
    raise ImproperlyConfigured("FJC_INVITATION_HOURS must be between 1 and 336.")
# Outgoing e-mail (invitations, notices of emergency access), one URL (Django's MAILERS from it): for instance
# smtp+tls://user:password@host:587, or consolemail:// (the embedded default: the server prints
# the mail). fjc.settings_production refuses the console and file backends.
_MAILER_OPTIONS = {
    "EMAIL_HOST": "host",
    "EMAIL_PORT": "port",
    "EMAIL_HOST_USER": "username",
    "EMAIL_HOST_PASSWORD": "password",
    "EMAIL_USE_TLS": "use_tls",
    "EMAIL_USE_SSL": "use_ssl",
    "EMAIL_FILE_PATH": "file_path",
}


def mailer(url: str) -> dict:
    config = env.email_url_config(url)
    options = {_MAILER_OPTIONS[k]: v for k, v in config.items() if k in _MAILER_OPTIONS and v}
    return {"BACKEND": config["EMAIL_BACKEND"], "OPTIONS": options}


MAILERS = {"default": mailer(env.str("EMAIL_URL", default="consolemail://"))}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="veilig-huis@localhost")
# The application's address as its users reach it: the links in notices sent by beat, which
# has no request to take it from (issue 17).
FJC_SITE_URL = env.str("FJC_SITE_URL", default="http://localhost:8000")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Idle-session timeout: the session expires after this many seconds without a request.
SESSION_COOKIE_AGE = env.int("FJC_IDLE_TIMEOUT_SECONDS", default=30 * 60)
# The expiry slides with every request, but is written at most once per this many seconds
# (fjc.middleware.SessionRenewalMiddleware): an idle session ends between the timeout less
# this and the timeout after its last request, never later. Not saved on every request
# (SESSION_SAVE_EVERY_REQUEST): that was an UPDATE on every page (issue 20).
FJC_SESSION_RENEW_SECONDS = 60
# Absolute session lifetime: signed out this many seconds after signing in, however active.
FJC_SESSION_MAX_SECONDS = env.int("FJC_SESSION_MAX_SECONDS", default=12 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = False
# In the database: every process and host of the installation reads the same sessions (a
# replica never serves them, common.db_routing), and signing out ends the session everywhere.
# `check --deploy` refuses sessions that live in one process or on one host (fjc.checks).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "nl-be"
LANGUAGES = [("nl-be", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True
# Belgian short dates in Dutch, European dates and 24-hour time in English (fjc/formats/).
# USE_THOUSAND_SEPARATOR stays off: it would group years and ids in templates ("2.026"); the
# figures group their counts themselves (reporting.figures.base.display).
FORMAT_MODULE_PATH = ["fjc.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=VAR_DIR / "staticfiles")
MEDIA_ROOT = env.path("DJANGO_PRIVATE_MEDIA_ROOT", default=VAR_DIR / "private")
# Private files (case documents, registration attachments, agreements, signed documents,
# annual report PDFs) go through Django's storage API, the "default" storage: the folder
# MEDIA_ROOT on one machine (the embedded default), or an S3-compatible bucket (MinIO, Ceph,
# a cloud's object store) that every web and worker host shares, when FJC_S3_BUCKET is set.
# Either way no file has a public address: a file reaches a user only through the
# access-checked, audited download views (the bucket stays private, no URL is ever handed out).
FJC_S3_BUCKET = env.str("FJC_S3_BUCKET", default="")


def private_storage(bucket: str) -> dict:
    """The STORAGES["default"] entry for the private files: a bucket when one is named."""
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    options = {
        "bucket_name": bucket,
        # Empty: the cloud's own endpoint for the region. MinIO: http://minio:9000.
        "endpoint_url": env.str("FJC_S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("FJC_S3_REGION", default="") or None,
        # Keys as Docker secrets (FJC_S3_ACCESS_KEY_FILE, ...) or values; both empty: the
        # host's own credentials (an instance role, ~/.aws).
        "access_key": secret("FJC_S3_ACCESS_KEY", default="") or None,
        "secret_key": secret("FJC_S3_SECRET_KEY", default="") or None,
        # A prefix inside the bucket, so that one bucket may serve several installations.
        "location": env.str("FJC_S3_PREFIX", default=""),
        # Objects are private to the account (no ACL makes them public), and the storage
        # never signs a URL for a browser: downloads stream through the application.
        "default_acl": None,
        "querystring_auth": True,
        # A second upload never replaces a stored file (names are random anyway).
        "file_overwrite": False,
        # Path-style addressing works with MinIO and with every S3 service.
        "addressing_style": env.str("FJC_S3_ADDRESSING_STYLE", default="path"),
        "signature_version": "s3v4",
        # A download is read into memory up to this size, into a temporary file beyond it.
        "max_memory_size": 10 * 1024 * 1024,
        # Server-side encryption of every object (e.g. AES256 or aws:kms); empty: the
        # bucket's default encryption.
        "object_parameters": (
            {"ServerSideEncryption": env.str("FJC_S3_SERVER_SIDE_ENCRYPTION")}
            if env.str("FJC_S3_SERVER_SIDE_ENCRYPTION", default="")
            else {}
        ),
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


STORAGES = {
    "default": private_storage(FJC_S3_BUCKET),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Strict CSP: only our own origin; no inline script or style anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
# No browser feature the application does not use (fjc.middleware.PermissionsPolicyMiddleware).
FJC_PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)
X_FRAME_OPTIONS = "DENY"
# A refused form (expired or missing CSRF token) gets the Dutch page, not Django's English one.
CSRF_FAILURE_VIEW = "fjc.errors.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Celery: Redis when REDIS_URL is set, otherwise tasks run in-process (embedded default).
REDIS_URL = env.str("REDIS_URL", default="")
# The cache (Redis when there is one, so every web process shares it; else in-process; the
# embedded default runs one process): the dashboard's protected figures and short-lived
# server-side state such as case search terms (which never go into the session).
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "fjc",
            # An unreachable Redis fails fast (a 503 page, "redis": "down" in /health/)
            # instead of holding the request.
            "OPTIONS": {"socket_connect_timeout": 3, "socket_timeout": 5},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# After how many seconds the network dashboard's kept figures of a year are computed again, by
# the worker while the kept ones are still shown (0: computed per request). publication.py.
FJC_FIGURES_CACHE_SECONDS = env.int("FJC_FIGURES_CACHE_SECONDS", default=300)
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
# At least once, with idempotent tasks (issue 15): a message is acknowledged only after its
# task ended, a worker that dies puts it back, and a worker holds one message it has not
# started (so a killed worker strands at most one besides the running one).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis hands an unacknowledged message to another worker after the visibility timeout: it
# must outlast the longest task, or a slow but live task is started twice. A reserved
# message may wait for the task before it (prefetch 1) and then run itself: twice the hard
# limit, plus a margin of two minutes.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * CELERY_TASK_TIME_LIMIT + 120}
# Three queues (issue 20, part 6), so that a long annual report never holds up a notice and
# each kind of work can get workers (and hosts) of its own: "reports" (the PDF runs, minutes
# of CPU and memory each), "notifications" (notices and their e-mails: small, urgent) and
# "celery", the default (the sweepers: expired shares and accesses, stale runs, old
# sessions and tokens). A worker started without -Q consumes all three (the embedded
# default and the plain compose stack); the "scale" compose profile runs one worker per
# kind (`-Q reports`, `-Q notifications,celery`).
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [Queue("celery"), Queue("reports"), Queue("notifications")]
CELERY_TASK_ROUTES = {
    "reporting.tasks.build_annual_report": {"queue": "reports"},
    "reporting.tasks.refresh_year_publication": {"queue": "reports"},
    "notices.tasks.*": {"queue": "notifications"},
    "cases.tasks.send_urgent_notices": {"queue": "notifications"},
    "cases.tasks.send_daily_digests": {"queue": "notifications"},
    "consultations.tasks.send_secrecy_reminders": {"queue": "notifications"},
}
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# The worker writes a heartbeat to Redis this often (fjc.celery.WorkerHeartbeat); /health/
# calls the worker stale when the last one is older than FJC_WORKER_STALE_SECONDS.
FJC_WORKER_HEARTBEAT_SECONDS = 30
FJC_WORKER_STALE_SECONDS = env.int("FJC_WORKER_STALE_SECONDS", default=120)
CELERY_BEAT_SCHEDULE = {
    # The policy checks the window at every request; this only records that access ended.
    "end-expired-consultation-access": {
        "task": "consultations.tasks.end_expired_access",
        "schedule": 60 * 60,
    },
    # The policy checks a share's end date at every request; this only ends the record,
    # removes its grant and writes the audit row.
    "end-expired-case-shares": {
        "task": "cases.tasks.end_expired_shares",
        "schedule": 60 * 60,
    },
    # The policy refuses an emergency access at its end; this only records that it ended.
    "end-expired-break-glass": {
        "task": "cases.tasks.end_expired_break_glass",
        "schedule": 15 * 60,
    },
    # A report run whose worker stopped beating is failed in the database (and can be asked
    # for again); the runs' pages do the same when someone looks.
    "fail-stale-report-runs": {
        "task": "reporting.tasks.fail_stale_report_runs",
        "schedule": 60,
    },
    # Django refuses an expired session when it is read; this removes the rows.
    "clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": 60 * 60,
    },
    # Notices (issue 17, part 2): urgent deadlines hourly, the daily overview once a day
    # (each idempotent: one notice per user, kind, object and date; one overview per day),
    # the secrecy reminders of consultations, and e-mails left waiting by a broker outage.
    "send-urgent-notices": {
        "task": "cases.tasks.send_urgent_notices",
        "schedule": 60 * 60,
    },
    "send-daily-digests": {
        "task": "cases.tasks.send_daily_digests",
        "schedule": crontab(hour=7, minute=0),
    },
    "send-secrecy-reminders": {
        "task": "consultations.tasks.send_secrecy_reminders",
        "schedule": crontab(hour=7, minute=15),
    },
    "send-waiting-notice-emails": {
        "task": "notices.tasks.send_waiting_emails",
        "schedule": 15 * 60,
    },
    # A form's one-time token is refused after FJC_SUBMISSION_TOKEN_DAYS; this removes the rows.
    "delete-old-submission-tokens": {
        "task": "common.tasks.delete_old_submission_tokens",
        "schedule": 24 * 60 * 60,
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        # Request logs carry URLs; ours never hold personal data, but keep 404 noise down.
        "django.request": {"level": "ERROR"},
        # WeasyPrint logs every page and font at INFO; only its problems matter.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Case work rules that an FJC may set differently (domain.md marks them "check").
# Warn this many days before a temporary restraining order ends.
FJC_RESTRAINING_ORDER_WARNING_DAYS = env.int("FJC_RESTRAINING_ORDER_WARNING_DAYS", default=3)
# Law of 15 May 2012 on the temporary restraining order (tijdelijk huisverbod), as amended:
# the prosecutor's order lasts at most 14 days; within them the family court may extend it
# (one decision) by at most three months. The number of extensions and their total length
# beyond the original end are settings, so an amendment of the law is configuration.
FJC_RESTRAINING_ORDER_MAX_DAYS = env.int("FJC_RESTRAINING_ORDER_MAX_DAYS", default=14)
FJC_RESTRAINING_ORDER_EXTENSION_MAX_DAYS = env.int(
    "FJC_RESTRAINING_ORDER_EXTENSION_MAX_DAYS", default=92
)
FJC_RESTRAINING_ORDER_MAX_EXTENSIONS = env.int("FJC_RESTRAINING_ORDER_MAX_EXTENSIONS", default=1)
if (
    not 0 <= FJC_RESTRAINING_ORDER_MAX_EXTENSIONS <= 10
    or FJC_RESTRAINING_ORDER_EXTENSION_MAX_DAYS < 1
):
    raise ImproperlyConfigured(
        "FJC_RESTRAINING_ORDER_MAX_EXTENSIONS must be between 0 and 10 and "
        "FJC_RESTRAINING_ORDER_EXTENSION_MAX_DAYS at least 1."
    )
# A case for the same victim and perpetrator opened within this many calendar months after an
# earlier one is a repeat (12: 28-02-2023 → 28-02-2024 is inside, 29-02-2024 is not).
FJC_REPEAT_WINDOW_MONTHS = env.int("FJC_REPEAT_WINDOW_MONTHS", default=12)
if "FJC_REPEAT_WINDOW_DAYS" in os.environ:
    # Removed: 365 days missed 28-02 → 28-02 across a leap day. Fail loudly rather than
    # silently ignore an installation's own window.
    raise ImproperlyConfigured(
        "FJC_REPEAT_WINDOW_DAYS was replaced by FJC_REPEAT_WINDOW_MONTHS (calendar months)."
    )

# Plausible dates and numbers (issue 15, ``common.dates``). Case events are refused before
# FJC_SERVICE_START: no Flemish Family Justice Center existed before 2016 (Antwerp; Mechelen
# 23-05-2017), and 2010 leaves room for history entered with a case (an earlier measure, a
# police report) while refusing typing slips such as 1900 or 0201. An installation may set its
# own opening date. Planned events (hearings, consultations, reviews, the end of an order) may
# lie at most FJC_MAX_YEARS_AHEAD years ahead.
try:
    FJC_SERVICE_START = date.fromisoformat(env.str("FJC_SERVICE_START", default="2010-01-01"))
except ValueError as error:
    raise ImproperlyConfigured("FJC_SERVICE_START must be a date, YYYY-MM-DD.") from error
FJC_MAX_YEARS_AHEAD = env.int("FJC_MAX_YEARS_AHEAD", default=2)
if not 1 <= FJC_MAX_YEARS_AHEAD <= 50:
    raise ImproperlyConfigured("FJC_MAX_YEARS_AHEAD must be between 1 and 50.")
if not date(1900, 1, 1) <= FJC_SERVICE_START <= date(2100, 1, 1):
    raise ImproperlyConfigured("FJC_SERVICE_START must be a date between 1900 and 2100.")

# One-time create-form tokens (issue 15, ``common.submission``): a form older than this many
# days is refused like an expired one (shown again to be checked and sent), and the rows that
# remember which tokens were used are deleted after the same time.
FJC_SUBMISSION_TOKEN_DAYS = env.int("FJC_SUBMISSION_TOKEN_DAYS", default=30)
if not 1 <= FJC_SUBMISSION_TOKEN_DAYS <= 365:
    raise ImproperlyConfigured("FJC_SUBMISSION_TOKEN_DAYS must be between 1 and 365.")

# Sharing a case with another organisation (issue 13): a share ends on its end date, by
# default this many days after it is made, and at most this many days after it.
FJC_SHARE_DEFAULT_DAYS = env.int("FJC_SHARE_DEFAULT_DAYS", default=90)
FJC_SHARE_MAX_DAYS = env.int("FJC_SHARE_MAX_DAYS", default=365)
if not 1 <= FJC_SHARE_DEFAULT_DAYS <= FJC_SHARE_MAX_DAYS:
    raise ImproperlyConfigured("FJC_SHARE_DEFAULT_DAYS must be between 1 and FJC_SHARE_MAX_DAYS.")

# The deadline board (issue 17): a pending referral shows as unanswered this many days after it
# was made; a share or a consultation access shows as ending this many days before its end.
FJC_REFERRAL_ANSWER_DAYS = env.int("FJC_REFERRAL_ANSWER_DAYS", default=14)
FJC_ACCESS_ENDING_DAYS = env.int("FJC_ACCESS_ENDING_DAYS", default=7)
if not 1 <= FJC_REFERRAL_ANSWER_DAYS <= 365 or not 0 <= FJC_ACCESS_ENDING_DAYS <= 90:
    raise ImproperlyConfigured(
        "FJC_REFERRAL_ANSWER_DAYS must be between 1 and 365, FJC_ACCESS_ENDING_DAYS between 0 and 90."
    )

# Break-glass (issue 14): a case director's emergency access to a case outside their scope
# lasts at most this many hours (they choose up to it); it ends by itself.
FJC_BREAK_GLASS_MAX_HOURS = env.int("FJC_BREAK_GLASS_MAX_HOURS", default=8)
if not 1 <= FJC_BREAK_GLASS_MAX_HOURS <= 72:
    raise ImproperlyConfigured("FJC_BREAK_GLASS_MAX_HOURS must be between 1 and 72.")


# Lists and the home page name a case by its reference and a short label (issue 16): the
# (first) victim's initials ("A. V."), first name and last initial ("Anna V."), or nothing.
FJC_CASE_LABEL_CHOICES = ("victim_initials", "victim_first_name_initial", "none")
FJC_CASE_LABEL = env.str("FJC_CASE_LABEL", default="victim_initials")
if FJC_CASE_LABEL not in FJC_CASE_LABEL_CHOICES:
    raise ImproperlyConfigured(
        "FJC_CASE_LABEL must be one of: " + ", ".join(FJC_CASE_LABEL_CHOICES) + "."
    )


# Article 458ter consultations: participants outside a case's team may open its consultation
# view from this many days before the meeting until this many days after it.
FJC_CONSULTATION_ACCESS_DAYS_BEFORE = env.int("FJC_CONSULTATION_ACCESS_DAYS_BEFORE", default=2)
FJC_CONSULTATION_ACCESS_DAYS_AFTER = env.int("FJC_CONSULTATION_ACCESS_DAYS_AFTER", default=14)

# Annual figures (issue 7): the roles, besides the operations lead, that may ask for the
# annual report and download it (role codes of accounts.roles.RoleCode, comma-separated).
FJC_REPORT_ROLES = env.list("FJC_REPORT_ROLES", default=["operations_lead"])
# A running report run without a heartbeat for this long has lost its worker: it is marked
# failed and can be asked for again. The task beats four times per window.
FJC_REPORT_STALE_SECONDS = env.int("FJC_REPORT_STALE_SECONDS", default=60)
if not 10 <= FJC_REPORT_STALE_SECONDS <= CELERY_TASK_SOFT_TIME_LIMIT:
    raise ImproperlyConfigured(
        "FJC_REPORT_STALE_SECONDS must be between 10 and the soft time limit (300)."
    )

# Legal bases of consultations (issue 13): the roles, besides the operations lead, that may
# create, change and deactivate them (role codes, comma-separated; none by default).
FJC_LEGAL_BASIS_ROLES = env.list("FJC_LEGAL_BASIS_ROLES", default=[])

# Uploaded documents (signed agreements, signed authorisations): at most this many bytes.
# Their kind is checked from their content (common.uploads).
FJC_UPLOAD_MAX_BYTES = env.int("FJC_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# Documents on a case (issue 17): at most this many megabytes per file (a scanned court
# decision can be large). Checked in the service; DATA_UPLOAD_MAX_MEMORY_SIZE does not cover
# files, so a body limit of a proxy in front must be at least this.
FJC_DOCUMENT_MAX_MB = env.int("FJC_DOCUMENT_MAX_MB", default=20)
if not 1 <= FJC_DOCUMENT_MAX_MB <= 200:
    raise ImproperlyConfigured("FJC_DOCUMENT_MAX_MB must be between 1 and 200.")

# Escalation that suggests the chain approach (issue 17, part 6; ``risk.escalation``): an open
# track-1/2 case is suggested for track 3 when its assessment or its police reports and
# breaches show at least FJC_ESCALATION_INCIDENTS incidents in FJC_ESCALATION_MONTHS months; a
# track-3 case without a joint assessment, a plan of approach or a consultation
# FJC_CHAIN_SETUP_WEEKS weeks after it entered track 3 shows a warning.
FJC_ESCALATION_INCIDENTS = env.int("FJC_ESCALATION_INCIDENTS", default=3)
FJC_ESCALATION_MONTHS = env.int("FJC_ESCALATION_MONTHS", default=12)
FJC_CHAIN_SETUP_WEEKS = env.int("FJC_CHAIN_SETUP_WEEKS", default=4)
if (
    not 1 <= FJC_ESCALATION_INCIDENTS <= 100
    or not 1 <= FJC_ESCALATION_MONTHS <= 60
    or not 1 <= FJC_CHAIN_SETUP_WEEKS <= 52
):
    raise ImproperlyConfigured(
        "FJC_ESCALATION_INCIDENTS must be between 1 and 100, FJC_ESCALATION_MONTHS between 1 "
        "and 60, FJC_CHAIN_SETUP_WEEKS between 1 and 52."
    )
# The deadline board shows judicial conditions (release, probation, ...) ending within this
# many days (issue 17).
FJC_CONDITION_ENDING_DAYS = env.int("FJC_CONDITION_ENDING_DAYS", default=14)
if not 0 <= FJC_CONDITION_ENDING_DAYS <= 90:
    raise ImproperlyConfigured("FJC_CONDITION_ENDING_DAYS must be between 0 and 90.")
