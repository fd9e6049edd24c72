#!/usr/bin/env bash
# rasa data validate; fails on any warning that scripts/validate.py cannot prove false.
set -euo pipefail
source "$(dirname "$0")/env.sh"
exec .venv/bin/python scripts/validate.py
