# syntax=docker/dockerfile:1
#
# Production image for the FJC case management application.
#
#   docker build -t fjc .
#   docker compose up -d          (see docker-compose.yml and .env.example)
#
# The same image runs every role: gunicorn (default command), the one-shot
# migration, the Celery worker and Celery beat.

# --------------------------------------------------------------------------
# Build stage: resolve the locked dependencies into /app/.venv with uv.
# --------------------------------------------------------------------------
FROM python:3.12-slim-bookworm AS builder

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.12 \
    UV_PROJECT_ENVIRONMENT=/app/.venv

# uv from PyPI, pinned to the version that wrote uv.lock.
RUN pip install "uv==0.13.9"

WORKDIR /app

# Only the dependency manifests: this layer is rebuilt only when they change.
# The project itself is not a package ([tool.uv] package = false), so nothing
# but the locked third-party dependencies is installed; no dev group.
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-project


# --------------------------------------------------------------------------
# Runtime stage.
# --------------------------------------------------------------------------
FROM python:3.12-slim-bookworm AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH="/app/.venv/bin:${PATH}" \
    DJANGO_SETTINGS_MODULE=fjc.settings_production \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    DJANGO_PRIVATE_MEDIA_ROOT=/app/var/private

# WeasyPrint's system libraries (Pango, HarfBuzz subsetting) and a font; pg_dump and
# pg_restore (15, like the postgres:15 service) for scripts/backup.sh and scripts/restore.sh.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        postgresql-client \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Unprivileged user. It gets a writable home for fontconfig's cache and
# gunicorn's control socket ($HOME/.gunicorn); the code stays root-owned.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app \
        --create-home --home-dir /home/app --shell /usr/sbin/nologin app

WORKDIR /app

COPY --from=builder /app/.venv /app/.venv
COPY . .

# Static files are collected at build time with throwaway values: the
# production settings insist on a secret key and allowed hosts, but
# collectstatic needs neither a real one nor a database. These values live in
# this RUN step only; they are not part of the image's environment.
# The writable folders are created for the named volumes (private media,
# Celery beat's schedule), so that fresh volumes are owned by the app user.
RUN DJANGO_SECRET_KEY="collectstatic-build-time-only-not-a-secret" \
    DJANGO_ALLOWED_HOSTS="localhost" \
    DATABASE_URL="sqlite:////tmp/collectstatic.sqlite3" \
    REDIS_URL="" \
    python manage.py collectstatic --noinput \
    && rm -f /tmp/collectstatic.sqlite3 \
    && mkdir -p /app/var/private /app/var/celerybeat \
    && chown -R app:app /app/var

USER app

EXPOSE 8000

CMD ["gunicorn", "fjc.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--workers", "3", \
     "--worker-tmp-dir", "/dev/shm"]
