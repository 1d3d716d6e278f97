#!/usr/bin/env bash
# Runs the whole test suite: unit tests, and integration tests on a real local Swarm (dockerd nodes in network
# namespaces), a real Prometheus and the real SDK clients. Needs root for namespaces and dockerd.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then exec sudo -E "$0" "$@"; fi
cd "$(dirname "$0")/.."
scripts/install-deps.sh
exec mvn -B verify "$@"
