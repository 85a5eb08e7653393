#!/usr/bin/env bash
# Serve the demo: the ASGI server in the foreground and the Huey worker beside it; one Ctrl-C ends both.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
export DEBUG="${DEBUG:-1}"

.venv/bin/python manage.py run_huey --workers 2 --flush-locks &
worker=$!
stop() { kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true; }
trap stop EXIT INT TERM

echo ""
echo "  servicedesk: http://${HOST}:${PORT}/   (background worker pid ${worker}; Ctrl-C stops both)"
echo "  Demo logins use the password demo-servicedesk-2026, e.g. demo.ansatt, demo.agent, demo.ledelse, demo.admin"
echo ""
.venv/bin/daphne -b "$HOST" -p "$PORT" servicedesk.asgi:application
