#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into a NEW database (DATABASE_URL, as the owner;
# created when it does not exist, refused when it holds any table) and an empty private-files
# folder (DJANGO_PRIVATE_MEDIA_ROOT), or with FJC_S3_BUCKET set an empty prefix (FJC_S3_PREFIX)
# of that bucket. Refuses a backup whose checksums do not match its manifest, verifies the
# restored row counts and files against it, then grants the application role (FJC_APP_DB_ROLE)
# its privileges with manage.py grant_app_role. README, "Backup and restore".
# The logic is in scripts/fjc_backup.py.
#
#   ./scripts/restore.sh backups/fjc-backup-20250101T020000Z
#   ./scripts/restore.sh backups/fjc-backup-20250101T020000Z.tar.gpg    (encrypted)
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 1 ] || { echo "usage: $0 BACKUP_FOLDER_OR_TAR_GPG" >&2; exit 2; }
backup="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
PYTHON=.venv/bin/python
[ -x "$PYTHON" ] || PYTHON=python3
umask 077
exec "$PYTHON" scripts/fjc_backup.py restore "$backup"
