#!/usr/bin/env bash
# Print the path of a working Python 3.10 interpreter (Rasa 3.6 supports 3.8-3.10).
# Order: $PYTHON, then python3.10 on PATH if it really runs (a pyenv shim may not),
# then pyenv's installed 3.10.x. Exit 1 with advice when there is none.
set -u
works() { "$1" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; }
if [ -n "${PYTHON:-}" ]; then
  if works "$PYTHON"; then command -v "$PYTHON" || echo "$PYTHON"; exit 0; fi
  echo "PYTHON=$PYTHON is not a working Python 3.10" >&2; exit 1
fi
if command -v python3.10 >/dev/null 2>&1 && works python3.10; then command -v python3.10; exit 0; fi
if command -v pyenv >/dev/null 2>&1; then
  for candidate in $(ls -d "$(pyenv root)"/versions/3.10.*/bin/python3.10 2>/dev/null | sort -V -r); do
    if works "$candidate"; then echo "$candidate"; exit 0; fi
  done
fi
for candidate in /usr/bin/python3.10 /usr/local/bin/python3.10; do
  if [ -x "$candidate" ] && works "$candidate"; then echo "$candidate"; exit 0; fi
done
cat >&2 <<'MSG'
No working Python 3.10 found (Rasa Open Source 3.6 needs Python 3.8-3.10).
Install one, e.g. `pyenv install 3.10` or your system's python3.10 and python3.10-venv
packages, or point PYTHON at it: make PYTHON=/path/to/python3.10 ...
MSG
exit 1
