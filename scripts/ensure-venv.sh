#!/usr/bin/env bash
# Creates the virtual environment with Python 3.10 if it is missing.
# Rasa Open Source 3.6 runs on Python 3.8-3.10 only; Attune uses 3.10.
set -euo pipefail
venv="${1:-.venv}"

if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
  exit 0
fi

is_py310() { "$1" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; }

candidates=()
[ -n "${PYTHON310:-}" ] && candidates+=("$PYTHON310")
candidates+=(python3.10)
if command -v pyenv >/dev/null 2>&1; then
  for dir in "$(pyenv root)"/versions/3.10*; do candidates+=("$dir/bin/python3.10"); done
fi
for dir in "$HOME"/.pyenv/versions/3.10* /usr/local/bin /usr/bin /opt/python3.10/bin; do
  candidates+=("$dir/python3.10" "$dir/bin/python3.10")
done

python=""
for candidate in "${candidates[@]}"; do
  if is_py310 "$candidate"; then python="$candidate"; break; fi
done

if [ -z "$python" ]; then
  cat >&2 <<'MSG'
Attune needs Python 3.10 (Rasa Open Source 3.6 supports nothing newer), and none was found.
Install it, then run the command again. For example:
  - with pyenv:            pyenv install 3.10
  - on Ubuntu:             sudo apt-get install python3.10 python3.10-venv
                           (from the deadsnakes PPA on releases that lack it)
  - or point to one:       PYTHON310=/path/to/python3.10 make run
MSG
  exit 1
fi

echo "Creating $venv with $python"
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade "pip==26.3" "wheel==0.45.1"
