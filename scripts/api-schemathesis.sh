#!/usr/bin/env bash
# Check the API against its OpenAPI schema with schemathesis: a live server on loopback with a throwaway,
# seeded SQLite database, one run with an agent's token and one with an employee's, both holding the read
# and write scopes. Not part of the test suite.
# Usage: scripts/api-schemathesis.sh   (MAX_EXAMPLES=…, PATHS=…, CHECKS=…, SCOPES=… to change)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8765}"
BASE="http://127.0.0.1:${PORT}"
MAX_EXAMPLES="${MAX_EXAMPLES:-25}"
# Every operation in the schema; e.g. PATHS='^/api/v1/(services|quality)/' for a part.
PATHS="${PATHS:-.*}"
SCOPES="${SCOPES:-read,tickets:write,orders:write,events:write}"
# The acceptance checks: no server error, and every response as the schema says (status, content type,
# headers, body), and no endpoint that ignores authentication. CHECKS=all adds the data-acceptance checks,
# which also report business-rule refusals (an unknown service code, a move the lifecycle forbids) as failures.
CHECKS="${CHECKS:-not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,ignored_auth}"

workdir="$(mktemp -d)"
export DEBUG=1
export DATABASE_URL="sqlite:///${workdir}/db.sqlite3"
export HUEY_SQLITE_PATH="${workdir}/huey.sqlite3"
export HUEY_IMMEDIATE=1
export MEDIA_ROOT="${workdir}/media"
# Generous limits: schemathesis sends many requests from one token.
export API_THROTTLE_RATE=100000/min API_THROTTLE_RATE_ANON=100000/min

server=""
stop() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$workdir"
}
trap stop EXIT INT TERM

echo "== Migrating and seeding a throwaway database in ${workdir}"
.venv/bin/python manage.py migrate --no-input -v 0
.venv/bin/python manage.py seed_demo >/dev/null
# A published month, so that the quality endpoints have a document to return.
.venv/bin/python manage.py quality_report "$(date -d 'last month' +%Y-%m)" --publish >/dev/null \
  || echo "   (could not publish last month's quality report; the quality detail will only answer 404)"
agent_token="$(.venv/bin/python manage.py create_api_token demo.agent --scopes "$SCOPES" --days 1 --name schemathesis)"
employee_token="$(.venv/bin/python manage.py create_api_token demo.ansatt --scopes "$SCOPES" --days 1 --name schemathesis)"

echo "== Starting the server on ${BASE}"
.venv/bin/python manage.py runserver "127.0.0.1:${PORT}" --noreload >"${workdir}/server.log" 2>&1 &
server=$!
for _ in $(seq 1 60); do
  curl -fsS "${BASE}/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done

status=0
for who in agent employee; do
  token_var="${who}_token"
  echo "== schemathesis as the ${who} (demo.${who/employee/ansatt})"
  .venv/bin/schemathesis --no-color run "${BASE}/api/schema/" \
    -H "Authorization: Bearer ${!token_var}" \
    --checks "${CHECKS}" \
    --include-path-regex "${PATHS}" \
    --max-examples "${MAX_EXAMPLES}" \
    --seed 1 \
    --generation-allow-x00 false \
    || status=$?
done
exit "$status"
