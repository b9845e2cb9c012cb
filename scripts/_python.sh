# Sourced by the scripts: finds Python >= 3.12 and uv, and syncs the virtualenv.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export UV_PYTHON_DOWNLOADS=never
if [ -z "${UV_PYTHON:-}" ]; then
  if command -v pyenv >/dev/null 2>&1 && pyenv prefix 3.12 >/dev/null 2>&1; then
    UV_PYTHON="$(pyenv prefix 3.12)/bin/python3"
  else
    for candidate in python3.13 python3.12 python3; do
      if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
        UV_PYTHON="$(command -v "$candidate")"; break
      fi
    done
  fi
fi
: "${UV_PYTHON:?Python 3.12 or newer is needed}"
export UV_PYTHON
if ! command -v uv >/dev/null 2>&1; then
  python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv
  export PATH="$HOME/.local/bin:$PATH"
fi
uv sync --frozen --quiet ${UV_SYNC_ARGS:-}
