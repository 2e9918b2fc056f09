#!/usr/bin/env bash
# What the Teams end-to-end test and `make run` need beyond the Python venv, installed from
# package registries only (no browser download): Debian's Chromium, the Python `playwright`
# driver, and the Microsoft 365 Agents Playground in playground/node_modules.
# Usage: scripts/e2e-deps.sh [--playground-only]
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"

install_playground() {
    if ! command -v npm >/dev/null 2>&1; then
        echo "e2e-deps: npm is not installed; the Agents Playground needs Node.js and npm (apt-get install nodejs npm)" >&2
        return 1
    fi
    if [ ! -x playground/node_modules/.bin/agentsplayground ]; then
        (cd playground && npm ci --no-audit --no-fund --loglevel=error)
    fi
}

if [ "${1:-}" = "--playground-only" ]; then
    install_playground
    exit 0
fi

if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ]; then
        SUDO=""
    elif command -v sudo >/dev/null 2>&1; then
        SUDO="sudo -n"
    else
        echo "e2e-deps: /usr/bin/chromium is missing and this user cannot apt-get install it (not root, no sudo)" >&2
        exit 1
    fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

if ! "$VENV/bin/python" -c "import playwright" 2>/dev/null; then
    # The Python package brings its own driver; browsers come from Debian, never from a download.
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 "$VENV/bin/pip" install --quiet "playwright>=1.40"
fi

install_playground
echo "e2e-deps: chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}'), playwright, agents playground ready"
