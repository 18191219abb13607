#!/usr/bin/env bash
# Print the first Python interpreter that is 3.11 or newer and can create a venv.
set -euo pipefail
for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
  [ -n "$candidate" ] || continue
  command -v "$candidate" >/dev/null 2>&1 || continue
  if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    if ! "$candidate" -c 'import ensurepip, venv' 2>/dev/null; then
      version=$("$candidate" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
      if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq && apt-get install -y -qq "python${version}-venv" >/dev/null
      else
        echo "causemap: $candidate cannot create virtual environments;" >&2
        echo "    sudo apt-get install -y python${version}-venv" >&2
        exit 1
      fi
    fi
    command -v "$candidate"
    exit 0
  fi
done
echo "causemap needs Python 3.11 or newer; install it with: sudo apt-get install -y python3" >&2
exit 1
