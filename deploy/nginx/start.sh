#!/bin/sh
# nginx in deploy/docker-compose.yml: render callcentre.conf.template with
# envsubst (in the official nginx image), check it, and run nginx in the foreground.
#
#   start.sh LISTEN RASA_1 RASA_2 [RUNTIME_DIR]
#
# The addresses come as arguments, not variables, so the compose file passes
# nginx no variable but MAX_BODY_BYTES (.env.example). deploy/render_nginx.py does
# the same substitution in Python; tests/unit/test_deploy.py checks both agree.
set -eu
[ $# -ge 3 ] || { echo "usage: start.sh LISTEN RASA_1 RASA_2 [RUNTIME_DIR]" >&2; exit 64; }
LISTEN=$1 RASA_1=$2 RASA_2=$3 RUNTIME_DIR=${4:-/var/cache/nginx}
MAX_BODY_BYTES=${MAX_BODY_BYTES:-65536}
export LISTEN RASA_1 RASA_2 RUNTIME_DIR MAX_BODY_BYTES
template=$(dirname "$0")/callcentre.conf.template
conf=$RUNTIME_DIR/nginx.conf
mkdir -p "$RUNTIME_DIR"
# Only these five: nginx's own $variables are left alone.
# shellcheck disable=SC2016
envsubst '${LISTEN} ${RASA_1} ${RASA_2} ${RUNTIME_DIR} ${MAX_BODY_BYTES}' < "$template" > "$conf"
nginx -t -q -c "$conf"
exec nginx -c "$conf" -g 'daemon off;'
