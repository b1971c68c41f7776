#!/usr/bin/env bash
# Makes sure Debian's `chromium` is installed at /usr/bin/chromium for the webview tests
# (test/webview) and the screenshot script. Idempotent: does nothing when it is already there.
# Refreshes the apt lists only when apt cannot find the package, so a warm machine makes no
# network request at all.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi

if ! apt-cache show chromium >/dev/null 2>&1; then
  $SUDO apt-get update
fi

DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium

if [ ! -x /usr/bin/chromium ]; then
  echo "chromium was installed but /usr/bin/chromium is missing" >&2
  exit 1
fi
