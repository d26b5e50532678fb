#!/bin/sh
# Browser tests use Debian's chromium driven by playwright (no browser download). Installs both if missing.
set -e
PY="${1:-python3}"
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "chromium not found: install Debian's 'chromium' package for the browser tests" >&2
  fi
fi
"$PY" -m pip install -q "playwright>=1.45"
