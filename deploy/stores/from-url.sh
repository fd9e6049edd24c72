#!/bin/sh
# PostgreSQL and Redis for deploy/docker-compose.yml, with the credentials taken
# from the project's own variables, so that each secret is written once (in the
# env file) and the servers and the bot can never disagree:
#
#   TRACKER_DB_URL=postgresql://USER:PASSWORD@postgres:5432/DB
#   LOCK_STORE_URL=redis://:PASSWORD@redis:6379/DB
#
#   from-url.sh postgres [ARGS]   start PostgreSQL (the official image's entry point)
#   from-url.sh postgres-ready    exit 0 when it accepts connections (healthcheck)
#   from-url.sh redis [ARGS]      start Redis with that password, nothing saved to disk
#   from-url.sh redis-ready       exit 0 when it answers PING with the password
#   from-url.sh parse URL         print what is read from URL (tests; no secrets in real use)
#
# POSIX sh (the images are Debian's dash). Passwords are used as written in the
# URL: one with a character that a URL must percent-encode (@ : / % ? # space) is
# refused, so pick letters and digits (e.g. `openssl rand -hex 24`).
set -eu

die() { echo "from-url.sh: $*" >&2; exit 64; }

# parse URL: sets url_scheme url_user url_password url_host url_port url_db
parse() {
  url=$1
  case $url in *://*) ;; *) die "not a URL (scheme://...)";; esac
  url_scheme=${url%%://*}
  rest=${url#*://}
  authority=${rest%%/*}
  case $rest in */*) path=${rest#*/} ;; *) path= ;; esac
  path=${path%%\?*}
  case $authority in
    *@*) userinfo=${authority%@*}; hostport=${authority##*@} ;;
    *) userinfo=; hostport=$authority ;;
  esac
  case $userinfo in
    *:*) url_user=${userinfo%%:*}; url_password=${userinfo#*:} ;;
    *) url_user=$userinfo; url_password= ;;
  esac
  case $url_password in *[@:/%?#\ ]*) die "the password in the URL has a character to percent-encode; use letters and digits";; esac
  case $hostport in
    *:*) url_host=${hostport%:*}; url_port=${hostport##*:} ;;
    *) url_host=$hostport; url_port= ;;
  esac
  url_db=$path
}

postgres_env() {
  [ -n "${TRACKER_DB_URL:-}" ] || die "TRACKER_DB_URL is not set"
  parse "$TRACKER_DB_URL"
  case $url_scheme in postgresql|postgresql+psycopg2) ;; *) die "TRACKER_DB_URL must be postgresql://... here, not $url_scheme://";; esac
  [ -n "$url_user" ] && [ -n "$url_password" ] && [ -n "$url_db" ] || die "TRACKER_DB_URL needs a user, a password and a database"
}

redis_env() {
  [ -n "${LOCK_STORE_URL:-}" ] || die "LOCK_STORE_URL is not set"
  parse "$LOCK_STORE_URL"
  [ "$url_scheme" = redis ] || die "LOCK_STORE_URL must be redis://... here (TLS, rediss://, needs a Redis outside this file)"
  [ -n "$url_password" ] || die "LOCK_STORE_URL needs a password: redis://:PASSWORD@redis:6379/1"
  case $url_user in ''|default) ;; *) die "Redis users (ACL) are not set up here; leave the user empty";; esac
}

mode=${1:-}
[ $# -gt 0 ] && shift
case $mode in
  postgres)
    postgres_env
    export POSTGRES_USER="$url_user" POSTGRES_PASSWORD="$url_password" POSTGRES_DB="$url_db"
    unset TRACKER_DB_URL
    exec docker-entrypoint.sh postgres "$@"
    ;;
  postgres-ready)
    postgres_env
    exec pg_isready -q -h 127.0.0.1 -p 5432 -U "$url_user" -d "$url_db"
    ;;
  redis)
    redis_env
    conf=/tmp/redis-locks.conf
    umask 077
    # Locks live seconds: no snapshots, no append-only file.
    printf 'port 6379\nsave ""\nappendonly no\nrequirepass %s\n' "$url_password" > "$conf"
    if [ "$(id -u)" = 0 ] && id redis >/dev/null 2>&1; then chown redis "$conf"; fi
    unset LOCK_STORE_URL
    exec docker-entrypoint.sh redis-server "$conf" "$@"
    ;;
  redis-ready)
    redis_env
    REDISCLI_AUTH="$url_password" redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG
    ;;
  parse)
    [ $# -eq 1 ] || die "usage: from-url.sh parse URL"
    parse "$1"
    printf 'scheme=%s\nuser=%s\npassword=%s\nhost=%s\nport=%s\ndb=%s\n' \
      "$url_scheme" "$url_user" "$url_password" "$url_host" "$url_port" "$url_db"
    ;;
  *)
    die "usage: from-url.sh postgres|postgres-ready|redis|redis-ready|parse URL"
    ;;
esac
