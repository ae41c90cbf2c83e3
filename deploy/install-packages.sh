#!/usr/bin/env bash
# Install the Debian packages the multi-replica deployment runs on: PostgreSQL (tracker store
# and hand-off store), Redis (lock store) and nginx (load balancer).
#
# Idempotent: installs only what is missing. Needs root (or sudo). No service is left running:
# `python -m deploy.cluster up` starts its own throwaway instances on 127.0.0.1 under var/,
# so Debian's own services (which the package scripts may start) are stopped again here.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# PostgreSQL: reuse the tests' installer (skips Debian's default cluster).
bash "$here/../scripts/install-postgres.sh" >/dev/null

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing ${missing[*]}..."
    # policy-rc.d 101: tell the package scripts not to start services during install.
    policy=/usr/sbin/policy-rc.d
    created_policy=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
        $SUDO chmod +x "$policy"
        created_policy=1
    fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
        "${missing[@]}" >/dev/null
    if [ "$created_policy" = 1 ]; then $SUDO rm -f "$policy"; fi
fi
echo "PostgreSQL: $(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
echo "Redis: $(command -v redis-server)"
echo "nginx: $(command -v nginx || echo /usr/sbin/nginx)"
