#!/usr/bin/env bash
# The schema fuzzer schemathesis (PyPI schemathesis 4.32) against a live `confab serve`,
# once on SQLite and once on a fresh PostgreSQL database: every check (server errors,
# response schema and status code and content type conformance, negative data rejected,
# positive data accepted, and the rest of `--checks all`), a fixed seed and a time budget
# per backend. Settings are in .ci/schemathesis.toml; failures that cannot be fixed are
# pinned, each with its reason, in .ci/schemathesis-baseline.json. Any other failure
# fails the script.
#
#   .ci/schemathesis.sh                       # needs target/debug/confab: cargo build -p confab
#   CONFAB_FUZZ_SECONDS=60 .ci/schemathesis.sh sqlite
#   CONFAB_FUZZ_BASELINE_UPDATE=1 .ci/schemathesis.sh   # adds this run's failures to the
#                                             # baseline; then give each new entry a reason
#
# The venv is made once under $CONFAB_CI_CACHE (default ~/.cache/confab-ci).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"

VERSION=4.32.0
SEED="${CONFAB_FUZZ_SEED:-20261202}"
SECONDS_PER_BACKEND="${CONFAB_FUZZ_SECONDS:-120}"
PG_ADMIN_URL="${CONFAB_FUZZ_PG_URL:-postgres://postgres@127.0.0.1:5432}"
CACHE="${CONFAB_CI_CACHE:-$HOME/.cache/confab-ci}"
VENV="$CACHE/schemathesis-$VERSION"
TARGET="${CARGO_TARGET_DIR:-target}"
case "$TARGET" in /*) ;; *) TARGET="$ROOT/$TARGET" ;; esac
CONFAB="$TARGET/debug/confab"
BACKENDS=("${@:-sqlite postgres}")
read -r -a BACKENDS <<<"${BACKENDS[*]}"

say() { printf 'schemathesis.sh: %s\n' "$*" >&2; }

if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$VERSION"; then
  say "installing schemathesis $VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet "schemathesis==$VERSION"
fi
[ -x "$CONFAB" ] || { say "build the server first: cargo build -p confab"; exit 1; }
# A pinned failure says why it cannot be fixed.
"$VENV/bin/python" - "$ROOT/.ci/schemathesis-baseline.json" <<'PY' || exit 1
import json, os, sys
entries = json.load(open(sys.argv[1]))["entries"]
bare = [f"{e['operation']} {e['check']} {e['signature']}" for e in entries if not e.get("reason", "").strip()]
if bare and not os.environ.get("CONFAB_FUZZ_BASELINE_UPDATE"):
    sys.exit("schemathesis.sh: baseline entries without a reason: " + "; ".join(bare))
PY
update=()
[ -n "${CONFAB_FUZZ_BASELINE_UPDATE:-}" ] && update=(--baseline-update)

work="$(mktemp -d)"
server_pid=""
database=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
  if [ -n "$database" ]; then
    psql "$PG_ADMIN_URL/postgres" -qc "DROP DATABASE IF EXISTS $database" >/dev/null 2>&1 || true
    database=""
  fi
}
trap 'cleanup; rm -rf "$work"' EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# fuzz BACKEND: a fresh database and server, then one schemathesis run against it.
fuzz() {
  local backend="$1" dir="$work/$1"
  mkdir -p "$dir"
  unset CONFAB_DATABASE_URL
  if [ "$backend" = postgres ]; then
    database="confab_fuzz_$$"
    psql "$PG_ADMIN_URL/postgres" -qc "DROP DATABASE IF EXISTS $database" >/dev/null 2>&1
    psql "$PG_ADMIN_URL/postgres" -qc "CREATE DATABASE $database" >/dev/null
    export CONFAB_DATABASE_URL="$PG_ADMIN_URL/$database"
  fi
  "$CONFAB" init --data-dir "$dir" --json >"$dir/keys.json"
  local key
  key() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$dir/keys.json" "$1"; }
  export CONFAB_FUZZ_OWNER_TOKEN; CONFAB_FUZZ_OWNER_TOKEN="$(key owner_token)"
  export CONFAB_FUZZ_SECRET_KEY; CONFAB_FUZZ_SECRET_KEY="$(key test_secret_key)"
  export CONFAB_FUZZ_SITE_KEY; CONFAB_FUZZ_SITE_KEY="$(key test_site_key)"
  export CONFAB_FUZZ_ADMIN_TOKEN="fuzz-admin-token-$$"
  local port
  port="$(free_port)"
  # The per-credential limit is raised so the fuzzer measures the API, not the limiter
  # (429 is still documented and answered, e.g. by the widget's per-visitor limits).
  CONFAB_ADMIN_TOKEN="$CONFAB_FUZZ_ADMIN_TOKEN" CONFAB_RATE_LIMIT_PER_MINUTE=1000000 \
    "$CONFAB" serve --listen "127.0.0.1:$port" --data-dir "$dir" >"$dir/server.log" 2>&1 &
  server_pid=$!
  local url="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do
    curl -fs "$url/readyz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  curl -fs "$url/readyz" >/dev/null || { cat "$dir/server.log" >&2; say "$backend: the server did not start"; exit 1; }
  say "$backend: every operation of $url/v1/openapi.json, seed $SEED, ${SECONDS_PER_BACKEND}s"
  local status=0
  (cd "$dir" && PYTHONPATH="$ROOT/.ci" SCHEMATHESIS_HOOKS=schemathesis_hooks "$VENV/bin/schemathesis" --config-file "$ROOT/.ci/schemathesis.toml" run "$url/v1/openapi.json" \
    --checks all \
    --phases examples,coverage,fuzzing,stateful \
    --seed "$SEED" --max-time "$SECONDS_PER_BACKEND" \
    --workers 1 \
    --baseline "$ROOT/.ci/schemathesis-baseline.json" "${update[@]}" \
    --no-color --output-truncate true \
    --report junit --report-dir "$dir/report") >"$dir/out.txt" 2>&1 || status=$?
  sed -n '/= SUMMARY =/,$p' "$dir/out.txt"
  if [ "$status" -ne 0 ]; then
    cat "$dir/out.txt" >&2
    grep -E '"level":"(ERROR|WARN)"' "$dir/server.log" | tail -n 20 >&2 || true
  fi
  cleanup
  return "$status"
}

failed=0
for backend in "${BACKENDS[@]}"; do
  fuzz "$backend" || failed=1
done
exit "$failed"
