#!/usr/bin/env bash
# `make run`: the bot on SQLite with the bundled policies, and (when npm is present) the
# Microsoft 365 Agents Playground pointed at it, so you can chat as in Teams at
# http://localhost:56150 . Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${VENV:-.venv}/bin/python"
PORT="${PORT:-3978}"
PLAYGROUND_PORT="${PLAYGROUND_PORT:-56150}"

children=()
cleanup() {
    for pid in "${children[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

"$PY" app.py serve --port "$PORT" &
children+=($!)

if command -v npm >/dev/null 2>&1 && bash scripts/e2e-deps.sh --playground-only; then
    for _ in $(seq 1 60); do  # the Playground connects at start, so wait for the bot
        curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
        sleep 1
    done
    TEAMSAPPTESTER_BROWSER=none playground/node_modules/.bin/agentsplayground \
        -e "http://127.0.0.1:$PORT/api/messages" -c msteams -p "$PLAYGROUND_PORT" --dt &
    children+=($!)
    echo ""
    echo "  Chat with the bot as in Teams: open http://localhost:$PLAYGROUND_PORT"
    echo ""
else
    echo "npm not found: the bot is at http://127.0.0.1:$PORT/api/messages (no Playground)."
fi
wait -n "${children[@]}"
