#!/usr/bin/env bash
# The action server, started the same way by `make run`, `make shell`, the tests
# and the benchmark. Extra arguments go to `rasa run actions` (e.g. --quiet).
set -euo pipefail
source "$(dirname "$0")/env.sh"
# Rasa waits up to 300 s for a custom action (not configurable in 3.6); Sanic,
# under the action server, gives a client 5 s from connecting to sending its first
# byte (KEEP_ALIVE_TIMEOUT, which covers a new connection too), 60 s to send the
# whole request and 60 s for the answer. A Rasa server busy with many messages at
# once can take longer than 5 s to write a request it has connected for; Sanic
# then hangs up, the turn loses its answer and the user gets the apology. So the
# action server waits as long as Rasa does. Only this server: the Rasa server,
# which faces the internet, keeps Sanic's defaults.
export SANIC_KEEP_ALIVE_TIMEOUT=${SANIC_KEEP_ALIVE_TIMEOUT:-300}
export SANIC_REQUEST_TIMEOUT=${SANIC_REQUEST_TIMEOUT:-300}
export SANIC_RESPONSE_TIMEOUT=${SANIC_RESPONSE_TIMEOUT:-300}
exec .venv/bin/rasa run actions --actions actions --port "$ACTIONS_PORT" "$@"
