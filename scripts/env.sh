# Sourced by the scripts: load .env (or .env.example) without overriding variables
# that are already set, and fix what Rasa must never do (telemetry).
load_env_file() {
  local file=$1 line key value
  [ -f "$file" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in ''|'#'*) continue ;; esac
    key=${line%%=*}; value=${line#*=}
    if [ -z "${!key+x}" ]; then export "$key=$value"; fi
  done < "$file"
}
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
if [ -f .env ]; then load_env_file .env; else load_env_file .env.example; fi
export RASA_TELEMETRY_ENABLED=false
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}
export SQLALCHEMY_SILENCE_UBER_WARNING=1 PYTHONHASHSEED=0
export RASA_PORT=${RASA_PORT:-5005} ACTIONS_PORT=${ACTIONS_PORT:-5055} WEB_PORT=${WEB_PORT:-8080}
export TRACKER_DB_URL=${TRACKER_DB_URL:-sqlite:///var/tracker.db}
# The action server (rasa_sdk reads SANIC_HOST) listens on loopback unless told otherwise.
export SANIC_HOST=${ACTIONS_HOST:-127.0.0.1}
# Request bodies over this many bytes get 413 from the Rasa server (channels/rest.py).
export MAX_BODY_BYTES=${MAX_BODY_BYTES:-65536}
# Empty: conversation locks and WeChat state in memory (one Rasa server); redis://host:port/db
# to share them (LOCK_STORE_URL defaults to REDIS_URL; stores/lock_store.py, channels/wechat/store.py).
export REDIS_URL=${REDIS_URL:-} LOCK_STORE_URL=${LOCK_STORE_URL:-}
mkdir -p var
