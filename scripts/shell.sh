#!/usr/bin/env bash
# `make shell`: chat with the bot in the terminal. SHELL_DEBUG=1 shows intent and
# confidence of each message. The action server runs in the background and is
# stopped when the shell ends.
set -euo pipefail
source "$(dirname "$0")/env.sh"
# staff see the prompt, not forty deprecation warnings from Rasa's dependencies
export PYTHONWARNINGS=${PYTHONWARNINGS:-ignore::DeprecationWarning,ignore::PendingDeprecationWarning}
scripts/actions.sh --quiet >var/actions-shell.log 2>&1 &
actions_pid=$!
trap 'kill $actions_pid 2>/dev/null; wait $actions_pid 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$ACTIONS_PORT/health" >/dev/null 2>&1 && break; sleep 1; done
# the shell's own server: loopback, the configured port, the HTTP API behind the token
args=(--model models/callcentre.tar.gz --endpoints endpoints.yml -i 127.0.0.1 --port "$RASA_PORT")
if [ -z "${RASA_AUTH_TOKEN:-}" ]; then
  RASA_AUTH_TOKEN=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(24))')
fi
args+=(--auth-token "$RASA_AUTH_TOKEN")
if [ "${SHELL_DEBUG:-}" = 1 ]; then
  args+=(--logging-config-file config/shell-debug-logging.yml)
else
  args+=(--quiet)
fi
# through scripts/rasa_cli.py: buttons as a numbered list, typing always allowed
.venv/bin/python scripts/rasa_cli.py shell "${args[@]}"
