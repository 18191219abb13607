#!/usr/bin/env bash
# Build the release wheel, with the cross-incident hot path compiled by mypyc, and unpack it
# into build/compiled: `make bench` and `make test` run it with PYTHONPATH=build/compiled.
# The wheel is built from the sdist (python -m build's default), so no compiled module is
# ever left beside the sources, where it would shadow them in the editable install.
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
out=build/compiled
rm -rf build/wheel "$out"
mkdir -p build
if ! HATCH_BUILD_HOOK_ENABLE_MYPYC=true "$py" -m build --no-isolation --outdir build/wheel . \
    >build/compiled.log 2>&1; then
  cat build/compiled.log >&2
  echo "compiled: building the mypyc wheel failed (log above, also in build/compiled.log)" >&2
  exit 1
fi
"$py" -m pip install -q --no-deps --no-compile --target "$out" build/wheel/causemap-*.whl
touch "$out/.built"
echo "compiled: $(ls build/wheel/*.whl) unpacked into $out"
