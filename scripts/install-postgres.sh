#!/usr/bin/env bash
# Install Debian's PostgreSQL server for the tests that run against a real PostgreSQL
# (tests/integration/conftest.py starts a throwaway server on 127.0.0.1 with it).
#
# Idempotent: does nothing when initdb and pg_ctl are already there. Needs root (or sudo).
# The package's own "main" cluster is not used by the tests; it is not created here when
# PostgreSQL is installed fresh, so no database service is left running.
# Prints the directory holding initdb and pg_ctl on its last line.
set -euo pipefail

find_bindir() {
    # Highest installed major version first.
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | while read -r dir; do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; fi
    done | tail -n 1
}

bindir="$(find_bindir)"
if [ -n "$bindir" ]; then
    echo "PostgreSQL is already installed."
    echo "$bindir"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

start=$(date +%s)
# Tests make their own clusters; skip Debian's default one (and its service) on a fresh install.
if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    $SUDO mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" | $SUDO tee /etc/postgresql-common/createcluster.conf >/dev/null
fi
echo "Installing Debian's postgresql package..."
$SUDO apt-get update -qq
# --force-confold keeps the createcluster.conf written above instead of asking.
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold postgresql >/dev/null
echo "Installed in $(( $(date +%s) - start )) s."

bindir="$(find_bindir)"
if [ -z "$bindir" ]; then
    echo "postgresql installed, but no initdb found under /usr/lib/postgresql" >&2
    exit 1
fi
echo "$bindir"
