#!/usr/bin/env bash
# Build, train and serve the optional Rasa 3.6 engine.
#
# Rasa 3.6 needs Python 3.10, so it lives in its own virtualenv OUTSIDE the checkout, keyed by a
# hash of rasa/requirements.txt: later runs, other checkouts and CI reuse it. Trained models are
# cached the same way, keyed by a hash of the training data + pipeline config + requirements.
#
#   rasa/build.sh venv              build the virtualenv if missing; print its path
#   rasa/build.sh train             venv + train the NLU model if stale; print the model path
#   rasa/build.sh serve PORT        venv + train + `rasa run --enable-api` on 127.0.0.1:PORT (exec)
#   rasa/build.sh print-venv        print the venv path (no build); exit 1 if it is not complete
#   rasa/build.sh print-model       print the model path (no training); exit 1 if it is missing
#   rasa/build.sh (no argument)     same as `train`
#
# Environment: CHATCART_RASA_PYTHON (a python3.10 to use), CHATCART_RASA_CACHE (cache root,
# default ${XDG_CACHE_HOME:-$HOME/.cache}/chatcart). Progress goes to stderr; stdout carries only
# the printed path so callers can capture it.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
REQ="$HERE/requirements.txt"
CONFIG="$HERE/config.yml"
DATA="$ROOT/nlu/data"
CACHE="${CHATCART_RASA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/chatcart}"

log() { echo "[rasa/build] $*" >&2; }
die() { echo "[rasa/build] ERROR: $*" >&2; exit 1; }

sha() { sha256sum | cut -c1-16; }
REQ_HASH="$(sha <"$REQ")"
VENV="$CACHE/rasa-$REQ_HASH"

# Training files: every language folder and the shared regex/lookup/synonym files, never test/.
training_files() {
  for sub in shared zh en; do find "$DATA/$sub" -name '*.yml'; done | LC_ALL=C sort
}

# Snapshot the training data into a Rasa project dir; the model hash is taken from the snapshot so
# the cached model always matches what it was trained on, even if files change meanwhile.
make_project() {
  local project="$1" f rel
  mkdir -p "$project/data"
  cp "$CONFIG" "$project/config.yml"
  training_files | while read -r f; do
    rel="${f#"$DATA"/}"
    cp "$f" "$project/data/${rel//\//__}"
  done
}

project_hash() {
  local project="$1"
  { cat "$REQ" "$project/config.yml"; for f in "$project"/data/*.yml; do basename "$f"; cat "$f"; done; } | sha
}

find_python310() {
  local candidate
  for candidate in "${CHATCART_RASA_PYTHON:-}" "$(command -v python3.10 || true)" \
                   /root/.pyenv/versions/3.10*/bin/python3.10 \
                   "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10*/bin/python3.10; do
    # pyenv shims exist even when they cannot run 3.10, so ask the interpreter itself.
    if [[ -n "$candidate" && -x "$candidate" ]] && "$candidate" -c \
        'import sys, venv; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; then
      echo "$candidate"; return 0
    fi
  done
  if command -v pyenv >/dev/null 2>&1; then
    log "no python3.10 found; trying 'pyenv install -s 3.10' (needs build tools and network)"
    if pyenv install -s 3.10 >&2; then
      candidate="$(pyenv root)/versions/$(pyenv latest 3.10)/bin/python3.10"
      if [[ -x "$candidate" ]]; then echo "$candidate"; return 0; fi
    fi
  fi
  die "Rasa 3.6 needs Python 3.10 and none was found. Install it (e.g. 'pyenv install 3.10' or \
'apt-get install python3.10 python3.10-venv') or set CHATCART_RASA_PYTHON=/path/to/python3.10"
}

ensure_venv() {
  if [[ -f "$VENV/.complete" ]]; then return 0; fi
  mkdir -p "$CACHE"
  # One builder at a time (make rasa and a test fixture may race); the others wait and reuse it.
  exec 9>"$CACHE/rasa-$REQ_HASH.lock"
  flock 9
  if [[ -f "$VENV/.complete" ]]; then flock -u 9; return 0; fi
  local py
  py="$(find_python310)"
  log "building Rasa virtualenv at $VENV with $py (downloads tensorflow; can take 10+ minutes)"
  rm -rf "$VENV"
  "$py" -m venv "$VENV"
  # The local index mirrors print one "is ignored" warning per package; keep real errors visible.
  "$VENV/bin/python" -m pip install --quiet --no-deps -r "$REQ" 2>&1 | grep -v "is ignored: it is neither" >&2 || true
  "$VENV/bin/python" -c "import rasa" 2>/dev/null || die "pip could not install rasa/requirements.txt"
  "$VENV/bin/python" -m pip check >&2 || log "pip check reported conflicts (see above); continuing"
  "$VENV/bin/python" -c "import rasa, jieba; print('rasa', rasa.__version__)" >&2
  touch "$VENV/.complete"
  flock -u 9
  log "virtualenv ready"
}

MODEL=""

# Sets MODEL to the cached model for the current data, training it first when missing.
PROJECT=""
ensure_model() {
  PROJECT="$(mktemp -d "${TMPDIR:-/tmp}/chatcart-rasa-project.XXXXXX")"
  trap 'rm -rf "$PROJECT"' EXIT
  local project="$PROJECT"
  make_project "$project"
  MODEL="$CACHE/rasa-models/nlu-$(project_hash "$project").tar.gz"
  if [[ -f "$MODEL" ]]; then return 0; fi
  mkdir -p "$CACHE/rasa-models"
  exec 8>"$CACHE/rasa-models/train.lock"
  flock 8
  if [[ -f "$MODEL" ]]; then flock -u 8; return 0; fi
  log "training Rasa NLU model -> $MODEL (a few minutes)"
  (
    cd "$project"
    export TF_CPP_MIN_LOG_LEVEL=2 PYTHONWARNINGS=ignore
    "$VENV/bin/rasa" train nlu --config config.yml --nlu data --out models \
      --fixed-model-name nlu-model >&2
  )
  mv "$project/models/nlu-model.tar.gz" "$MODEL.tmp"
  mv "$MODEL.tmp" "$MODEL"
  flock -u 8
  log "model ready"
}

cmd="${1:-train}"
case "$cmd" in
  venv) ensure_venv; echo "$VENV" ;;
  train) ensure_venv; ensure_model; echo "$MODEL" ;;
  serve)
    port="${2:?usage: build.sh serve PORT}"
    ensure_venv; ensure_model
    export TF_CPP_MIN_LOG_LEVEL=2 PYTHONWARNINGS=ignore
    rm -rf "$PROJECT"  # exec below replaces this shell, so the EXIT trap would never run
    mkdir -p "$CACHE/rasa-run" && cd "$CACHE/rasa-run"
    exec "$VENV/bin/rasa" run --enable-api --interface 127.0.0.1 --port "$port" --model "$MODEL" ;;
  print-venv) [[ -f "$VENV/.complete" ]] || exit 1; echo "$VENV" ;;
  print-model)
    project="$(mktemp -d "${TMPDIR:-/tmp}/chatcart-rasa-project.XXXXXX")"
    trap 'rm -rf "$project"' EXIT
    make_project "$project"
    m="$CACHE/rasa-models/nlu-$(project_hash "$project").tar.gz"
    [[ -f "$m" ]] || exit 1; echo "$m" ;;
  *) die "unknown command '$cmd' (venv|train|serve PORT|print-venv|print-model)" ;;
esac
