#!/usr/bin/env bash
# Back up the database (pg_dump -Fc as the owner of the tables) and the private files (the
# folder, or the bucket when FJC_S3_BUCKET is set), with a manifest of row counts and checksums,
# into a new folder under FJC_BACKUP_DIR (default ./backups). README, "Backup and restore".
# The logic is in scripts/fjc_backup.py.
#
#   DATABASE_URL=postgres://owner@host/fjc DJANGO_PRIVATE_MEDIA_ROOT=/srv/fjc/private ./scripts/backup.sh
#   docker compose run --rm backup                       (inside compose)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=.venv/bin/python
[ -x "$PYTHON" ] || PYTHON=python3
# The backup is special-category data: nobody but its owner may read what is written.
umask 077
exec "$PYTHON" scripts/fjc_backup.py backup "$@"
