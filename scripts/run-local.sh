#!/usr/bin/env bash
# Runs Swarm Scaler on its embedded default: a local Swarm (a manager and a worker as real dockerd processes,
# each in its own network namespace), a demo node exporter and Prometheus, and the daemon. Ctrl-C stops it all.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then exec sudo -E "$0" "$@"; fi
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jar=controller/target/swarm-scaler.jar
if [ ! -f "$jar" ] || [ -n "$(find api-model controller pom.xml -newer "$jar" -name '*.java' -o -newer "$jar" -name pom.xml | head -1)" ]; then
  mvn -B -q -DskipTests package
fi
exec java -jar "$jar" run "$@"
