#!/usr/bin/env bash
# Create or update the project environment in .venv (idempotent).
#
# The first run on a machine takes about 15 minutes, most of it building
# mmcv 2.1.0's compiled ops on the CPU; pip caches the built wheel, so later
# runs (and fresh checkouts on the same machine) take seconds. A stamp file
# records the hash of requirements/ + setup.py: nothing is re-installed while
# they are unchanged. Chromium and its driver (the web page's browser tests)
# come from apt-get when they are missing and this user may install them
# (root, or sudo without a password); otherwise one line says how, and
# `make test` skips the browser tests saying the same.
#
# Usage: bash tools/install_env.sh [VENV_DIR]   (default: .venv)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${1:-${MMADVSEG_VENV:-.venv}}
PY=${PYTHON:-python3}
stamp="$VENV/.mmadvseg-installed"
log() { echo "[install_env $(date +%H:%M:%S)] $*"; }

# the browser tests (tests/test_web) drive Debian's chromium + chromium-driver
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    sudo=(); [[ $(id -u) == 0 ]] || sudo=(sudo -n)
    if command -v apt-get >/dev/null && { [[ $(id -u) == 0 ]] || sudo -n true 2>/dev/null; }; then
        log "Chromium and its driver for the browser tests (apt-get)"
        { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -qq chromium chromium-driver; } \
            || log "apt-get could not install Chromium: the browser tests will be skipped"
    else
        log "no Chromium and no rights to install it: the browser tests will be skipped;" \
            "to run them: sudo apt-get install -y chromium chromium-driver"
    fi
fi

want=$(cat requirements/*.txt setup.py tools/install_env.sh | sha256sum | cut -d' ' -f1)
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    exit 0
fi
[[ -x "$VENV/bin/python" ]] || { log "creating $VENV"; "$PY" -m venv "$VENV"; }
pip=("$VENV/bin/python" -m pip install --disable-pip-version-check -c requirements/constraints.txt)

log "step 1/5: torch, torchvision, numpy and build tools"
"${pip[@]}" -r requirements/build.txt
if ! "$VENV/bin/python" -c "import mmcv, mmcv._ext" 2>/dev/null; then
    log "step 2/5: mmcv 2.1.0 with compiled CPU ops (about 11 min on 2 cores the first time; cached afterwards)"
    MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-2} FORCE_CUDA=0 \
        "${pip[@]}" --no-build-isolation -r requirements/mmcv.txt
fi
log "step 3/5: mmengine, mmdet and mmagic's real dependencies"
"${pip[@]}" -r requirements/runtime.txt
log "step 4/5: mmagic 1.2.0 (--no-deps)"
"${pip[@]}" --no-deps -r requirements/mmagic.txt
log "step 5/5: test tools and mmadvseg (editable)"
"${pip[@]}" -r requirements/tests.txt
"${pip[@]}" --no-deps --no-build-isolation -e .
"$VENV/bin/python" -c "import mmcv.ops, mmdet.models, mmagic.models, mmadvseg" \
    || { echo "install_env: the environment does not import; see the log above" >&2; exit 1; }
echo "$want" > "$stamp"
log "done: $VENV is ready"
