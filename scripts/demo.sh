#!/usr/bin/env bash
# Install and run the app on the embedded default: SQLite, tasks in-process, demo data.
UV_SYNC_ARGS=--no-dev source "$(dirname "$0")/_python.sh"
# The demo shortcut (manage.py demo_code); check --deploy refuses it in production.
export FJC_DEMO=true
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py seed_demo
exec .venv/bin/python manage.py runserver "${FJC_DEMO_ADDR:-127.0.0.1:8000}"
