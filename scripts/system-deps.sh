#!/usr/bin/env bash
# Make sure the Debian/Ubuntu packages causemap needs are installed.
#   scripts/system-deps.sh graphviz [chromium] [postgresql] [wrk] [compiler]
# Installs what is missing when run as root with apt-get; otherwise prints the exact
# command to run and exits 1.
set -euo pipefail

missing=()
for want in "$@"; do
  case "$want" in
    graphviz)   command -v dot >/dev/null 2>&1 || missing+=(graphviz) ;;
    chromium)   [ -x /usr/bin/chromium ] || missing+=(chromium) ;;
    postgresql) compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql) ;;
    wrk)        command -v wrk >/dev/null 2>&1 || missing+=(wrk) ;;
    compiler)   # mypyc's C for the compiled wheel: a C compiler and Python.h of $PYTHON
                command -v cc >/dev/null 2>&1 || missing+=(gcc)
                include=$("${PYTHON:-python3}" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
                [ -f "$include/Python.h" ] || missing+=(python3-dev) ;;
    *) echo "system-deps: unknown dependency '$want'" >&2; exit 2 ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: installing ${missing[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi
echo "causemap needs these Debian/Ubuntu packages: ${missing[*]}" >&2
echo "install them with:" >&2
echo "    sudo apt-get install -y ${missing[*]}" >&2
exit 1
