#!/usr/bin/env bash
# Makes sure Debian's redis-server is installed: the waits tests start their own instance on a
# free loopback port. Installs only when the binary is missing; refreshes the package lists only
# when the install fails without them.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi

install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=120 redis-server
}

if ! install; then
  apt-get update -o DPkg::Lock::Timeout=120
  install
fi
