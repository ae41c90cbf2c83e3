#!/usr/bin/env bash
# Dependency audit (pip-audit) of every pinned package in constraints.txt.
# A canary with known advisories (requests 2.19.0) must be flagged first: where the package
# registry serves no vulnerability data (as on this project's build machines), the audit says
# so and fails instead of reporting a clean result it could not check.
set -euo pipefail
tools="${AUDIT_VENV:-var/audit-venv}"
[ -x "$tools/bin/pip-audit" ] || { python3 -m venv "$tools" && "$tools/bin/pip" install --quiet "pip-audit==2.10.1"; }
canary=$(mktemp); echo "requests==2.19.0" > "$canary"
if ! "$tools/bin/pip-audit" -r "$canary" --no-deps --disable-pip --progress-spinner off 2>/dev/null | grep -q "CVE\|PYSEC\|GHSA"; then
  echo "pip-audit: the vulnerability service is not reachable from here (a known-vulnerable canary was not flagged)." >&2
  echo "Run 'make audit' on a machine that reaches PyPI's JSON API or OSV." >&2
  exit 2
fi
"$tools/bin/pip-audit" -r constraints.txt --no-deps --disable-pip --progress-spinner off
