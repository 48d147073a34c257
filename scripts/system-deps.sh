#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, once: PostgreSQL server binaries and
# Chromium (the dashboard and report tests drive it headless through Playwright).
# Tests start their own throw-away server; nothing here starts a service.
set -euo pipefail

need=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null || need+=(postgresql)
command -v chromium > /dev/null || need+=(chromium)

if [ ${#need[@]} -eq 0 ]; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo > /dev/null; then SUDO="sudo"; else
        echo "system-deps: need root (or sudo) to install: ${need[*]}" >&2; exit 1
    fi
fi
echo "system-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" > /dev/null
