# The only way the README, CI and developers run things. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV        := .venv
BIN         := $(VENV)/bin
PY          := $(BIN)/python
RASA        := $(BIN)/rasa
SPACY_DIR   := build/spacy_zh
MODEL       := models/callcentre.tar.gz

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONHASHSEED := 0
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export RASA_PORT ?= 5005
export ACTIONS_PORT ?= 5055
export WEB_PORT ?= 8080
export TRACKER_DB_URL ?= sqlite:///var/tracker.db

TRAIN_INPUTS := config.yml domain.yml $(shell find data -type f -name '*.yml' -o -type f -name '*.txt' 2>/dev/null) \
                $(wildcard components/*.py) $(wildcard zhtext/*.py) $(wildcard zhtext/data/*.yml) $(wildcard licence/data/*.yml) \
                $(SPACY_DIR)/.built

.PHONY: help setup assets train run shell shell-debug test test-servers test-in-process test-unit test-e2e test-browser \
        browser-deps test-conversations test-nlu validate check lock clean bench

help: ## list the targets
	@grep -E '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-20s %s\n", $$1, $$2}'

# pip installs the installers (requirements-setup.lock: pip, uv); uv installs the locks,
# checking every hash as pip would, but downloading and unpacking in parallel.
UV_INSTALL := $(BIN)/uv pip install --quiet --python $(PY) --compile-bytecode

$(VENV)/.installed: requirements.lock requirements-setup.lock scripts/find_python.sh
	@py=$$(scripts/find_python.sh) || exit 1; \
	  if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then \
	    rm -rf $(VENV) && $$py -m venv $(VENV); fi
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-setup.lock
	$(UV_INSTALL) --require-hashes -r requirements.lock
	@touch $@

WEB_STAMP := web/node_modules/.installed
$(WEB_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

browser-deps: ## Debian's Chromium and CJK fonts for the browser test (installed only when missing)
	@if [ ! -x /usr/bin/chromium ] || [ ! -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ]; then \
	  export DEBIAN_FRONTEND=noninteractive; apt-get update -q && apt-get install -y -q chromium fonts-noto-cjk; fi

setup: $(VENV)/.installed .env $(WEB_STAMP) ## create the venv, install the pinned Python and npm packages

.env:
	@cp .env.example .env && echo "created .env from .env.example (edit it for your deployment)"

# The patterns take their words from zhtext's data and their character classes from its code.
$(SPACY_DIR)/.built: $(VENV)/.installed scripts/build_spacy.py data/spacy/patterns.yml \
                     $(wildcard zhtext/*.py) $(wildcard zhtext/data/*.yml)
	@rm -rf $(SPACY_DIR) && mkdir -p build
	$(PY) scripts/build_spacy.py $(SPACY_DIR)
	@touch $@

assets: $(SPACY_DIR)/.built ## build the spaCy entity pipeline from data/spacy and zhtext/data

$(MODEL): $(VENV)/.installed $(TRAIN_INPUTS)
	@mkdir -p models
	RASA_MAX_CACHE_SIZE=0 $(PY) scripts/rasa_cli.py train --fixed-model-name callcentre --out models --force --quiet
	@touch $@

train: $(MODEL) ## train the model (only when data, config or components changed)

run: setup $(MODEL) ## start the action server and the bot (REST, socket.io, HTTP API); Ctrl-C stops all
	@scripts/run.sh

shell: setup $(MODEL) ## talk to the bot in the terminal (support staff)
	@scripts/shell.sh

shell-debug: setup $(MODEL) ## the same, showing intent and confidence of every message
	@SHELL_DEBUG=1 scripts/shell.sh

validate: setup ## rasa data validate (fails on any warning)
	@scripts/validate.sh

# Test and check tools (pytest, ruff, import-linter, mypy) on top of the runtime lock;
# only the targets that run them install them.
DEV := $(VENV)/.dev-installed
$(DEV): $(VENV)/.installed requirements-dev.lock
	$(UV_INSTALL) --require-hashes -r requirements-dev.lock
	@touch $@

PY_DIRS := actions bench channels components console deploy licence patches scripts stores tests zhtext
PURE_TESTS := tests/unit/test_basis.py tests/unit/test_decision.py tests/unit/test_message_shape.py tests/unit/test_followups.py tests/unit/test_extract.py tests/unit/test_extract_users.py \
              tests/unit/test_engine.py tests/unit/test_deadlines.py tests/unit/test_colloquial.py tests/unit/test_homophones.py \
              tests/unit/test_normalise.py tests/unit/test_numbers.py tests/unit/test_replies.py tests/unit/test_places.py \
              tests/unit/test_dates.py tests/unit/test_spacy_patterns.py tests/unit/test_console_queries.py tests/unit/test_console_unanswered.py \
              tests/unit/test_handoff_contact.py tests/unit/test_contacts.py tests/unit/test_context.py tests/unit/test_layout.py
check: $(DEV) ## lint and format (ruff), the import contract (.importlinter), mypy --strict on licence/ and zhtext/ (mypy.ini), the pure unit tests: no Rasa, no model
	$(BIN)/ruff check --no-cache $(PY_DIRS)
	$(BIN)/ruff format --check --no-cache $(PY_DIRS)
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy --cache-dir=/dev/null
	$(PY) -m pytest -q -p no:cacheprovider $(PURE_TESTS)

test-unit: setup $(DEV) assets ## pytest: rule engine, parsers, actions, NLU components, WeChat channel (on one Redis too; apt-get installs redis-server if missing)
	$(PY) -m pytest -q tests/unit tests/channels

test-e2e: setup $(DEV) $(MODEL) ## pytest: the real servers over REST and the tracker API
	$(PY) -m pytest -q tests/e2e

.PHONY: test-scale
test-scale: setup $(DEV) browser-deps $(MODEL) ## two Rasa servers sharing PostgreSQL and Redis, 10 interleaved conversations; then REST, the widget (in Chromium and node) and WeChat at once through nginx while one server is drained and stopped (apt-get installs what is missing)
	$(PY) -m pytest -q -s -m scale tests/scale

test-browser: setup $(DEV) browser-deps $(MODEL) ## headless Chromium chats through the website widget
	$(PY) -m pytest -q tests/browser

test-conversations: setup $(MODEL) ## conversation tests (tests/test_*.yml) through rasa test
	@scripts/test_conversations.sh

test-nlu: setup assets ## NLU held-out split (20%): accuracy and macro-F1, fails below 0.90
	@scripts/test_nlu.sh

# The held-out NLU run trains a model of its own and is CPU-bound; the suites
# that drive servers mostly wait on them. So `make test` runs two lanes side by
# side, after the shared training has filled the embedding cache: the suites that
# start servers, and the rest (unit, conversation tests, the held-out split), which
# is about as long, since the slower lane decides when `make test` ends. Each
# lane's output is printed whole when it ends; either lane failing fails the target.
TEST_SERVERS := test-e2e test-scale test-browser
TEST_IN_PROCESS := test-unit test-conversations test-nlu
test: setup check validate train ## everything CI runs
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-servers test-in-process

test-servers: $(DEV) browser-deps ## the suites that start the bot's servers (end-to-end, scale, browser), one after another
	@$(MAKE) --no-print-directory -j1 $(TEST_SERVERS)

test-in-process: $(DEV) ## unit/action/channel tests, conversation tests and the held-out NLU split, one after another
	@$(MAKE) --no-print-directory -j1 $(TEST_IN_PROCESS)

BENCH_ARGS ?=
bench: setup assets ## benchmark vs. Rasa's default pipeline: NLU, latency, memory, load; writes bench/results/
	$(PY) -m bench.run $(BENCH_ARGS)

# pip-compile keeps the pins already in a lock (and their hashes) unless the .in file
# asks otherwise; the dev and action-server locks are constrained to the runtime lock.
LOCK_VENV  := /tmp/lock-venv
PIP_TOOLS  := pip-tools==7.4.1
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes \
               --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links --no-emit-trusted-host
lock: ## re-pin the hashed locks (runtime, dev, action server, installers) from requirements*.in
	rm -rf $(LOCK_VENV) && $$(scripts/find_python.sh) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet "pip==24.0" "$(PIP_TOOLS)"
	$(PIP_COMPILE) -o requirements.lock requirements.in
	$(PIP_COMPILE) -o requirements-dev.lock requirements-dev.in
	$(PIP_COMPILE) -o requirements-actions.lock requirements-actions.in
	$(PIP_COMPILE) -o requirements-setup.lock requirements-setup.in

clean: ## remove the venv, built assets, models and test output
	rm -rf $(VENV) build models results var/*.db
