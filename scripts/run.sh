#!/usr/bin/env bash
# Start the action server and the Rasa server (REST, socket.io, HTTP API on 127.0.0.1),
# print where to chat, and stop both on Ctrl-C.
set -euo pipefail
source "$(dirname "$0")/env.sh"

if [ -z "${RASA_AUTH_TOKEN:-}" ]; then
  RASA_AUTH_TOKEN=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(24))')
  echo "RASA_AUTH_TOKEN not set; generated one for this run: $RASA_AUTH_TOKEN"
fi
export RASA_AUTH_TOKEN
pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "stopped."
}
trap stop INT TERM EXIT

scripts/actions.sh --quiet &
pids+=($!)
# shellcheck disable=SC2086
.venv/bin/rasa run --model models/callcentre.tar.gz --enable-api --auth-token="$RASA_AUTH_TOKEN" \
  -i 127.0.0.1 --port "$RASA_PORT" --credentials credentials.yml --endpoints endpoints.yml \
  --cors ${RASA_CORS_ORIGINS:-} "http://127.0.0.1:$WEB_PORT" "http://localhost:$WEB_PORT" &
pids+=($!)
.venv/bin/python scripts/serve_web.py --port "$WEB_PORT" &
pids+=($!)

for _ in $(seq 1 180); do
  if curl -fs "http://127.0.0.1:$RASA_PORT/status?token=$RASA_AUTH_TOKEN" >/dev/null 2>&1; then break; fi
  sleep 1
done
cat <<MSG

  The bot is up.
  Web chat: http://127.0.0.1:$WEB_PORT/  (reaches Rasa at ${RASA_PUBLIC_URL:-http://127.0.0.1:$RASA_PORT})
  REST:    curl -s -XPOST http://127.0.0.1:$RASA_PORT/webhooks/rest/webhook -d '{"sender":"me","message":"你好"}'
  HTTP API (token required): http://127.0.0.1:$RASA_PORT/conversations/<sender>/tracker?token=<RASA_AUTH_TOKEN>
  Actions: http://127.0.0.1:$ACTIONS_PORT/health
  Staff console: http://127.0.0.1:$WEB_PORT/staff/  (token: ${STAFF_TOKEN:+STAFF_TOKEN from .env}${STAFF_TOKEN:-the RASA_AUTH_TOKEN})
  WeChat:  ${WECHAT_TOKEN:+/webhooks/wechat/webhook}${WECHAT_TOKEN:-off (WECHAT_TOKEN not set)}
  Ctrl-C stops everything.

MSG
wait -n "${pids[@]}"
