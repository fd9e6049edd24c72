#!/usr/bin/env bash
# Conversation tests (tests/test_*.yml) through `rasa test core`, failing on any
# prediction error. Results go to results/conversations/.
set -euo pipefail
source "$(dirname "$0")/env.sh"
rm -rf results/conversations
.venv/bin/rasa test core --model models/callcentre.tar.gz --stories tests/ \
  --fail-on-prediction-errors --out results/conversations --quiet
echo "conversation tests: passed ($(grep -c -- '- story:' tests/test_*.yml | awk -F: '{s+=$2} END {print s}') stories)"
