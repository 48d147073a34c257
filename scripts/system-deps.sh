#!/usr/bin/env bash
# Installs the Debian packages the test suite needs (PostgreSQL server binaries), once.
# Tests start their own throw-away server; nothing here starts a service.
set -euo pipefail

need=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null || need+=(postgresql)

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
