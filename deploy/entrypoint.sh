#!/usr/bin/env bash
# Entry point of both images (deploy/Dockerfile, deploy/Dockerfile.actions).
#
#   rasa [ARGS...]     the Rasa server: REST, socket.io, WeChat, HTTP API (token required)
#   actions [ARGS...]  the action server (rasa_sdk), with the timeouts of scripts/actions.sh
#   anything else      run as given (e.g. bash, for a look inside)
#
# The environment is loaded the way every script of the project loads it
# (scripts/env.sh: variables already set win, then .env, else .env.example's
# defaults; telemetry off). Inside a container the servers listen on 0.0.0.0:
# the container network is private and only nginx is published.
set -euo pipefail
# env.sh also changes to the project root (/app in the images).
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/env.sh"

case "${1:-}" in
  rasa)
    shift
    if [ -z "${RASA_AUTH_TOKEN:-}" ]; then
      # `make run` generates one; several servers must share one, so it is required here.
      echo "RASA_AUTH_TOKEN is not set: every Rasa server needs the same token (HTTP API)" >&2
      exit 64
    fi
    args=(run --model models/callcentre.tar.gz --enable-api "--auth-token=$RASA_AUTH_TOKEN"
          -i 0.0.0.0 --port "$RASA_PORT" --credentials credentials.yml --endpoints endpoints.yml)
    if [ -n "${RASA_CORS_ORIGINS:-}" ]; then
      # shellcheck disable=SC2206  # space-separated origins, as in scripts/run.sh
      args+=(--cors ${RASA_CORS_ORIGINS})
    fi
    # Later options win (argparse): compose passes --endpoints deploy/endpoints.yml.
    exec rasa "${args[@]}" "$@"
    ;;
  actions)
    shift
    # Same as scripts/actions.sh: wait as long as Rasa waits for an action (300 s).
    export SANIC_KEEP_ALIVE_TIMEOUT=${SANIC_KEEP_ALIVE_TIMEOUT:-300}
    export SANIC_REQUEST_TIMEOUT=${SANIC_REQUEST_TIMEOUT:-300}
    export SANIC_RESPONSE_TIMEOUT=${SANIC_RESPONSE_TIMEOUT:-300}
    # The image has rasa_sdk only (no `rasa` command): its own entry point, same arguments.
    exec python -m rasa_sdk --actions actions --port "$ACTIONS_PORT" "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
