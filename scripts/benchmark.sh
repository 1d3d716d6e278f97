#!/usr/bin/env bash
# Prints what the pure part of a reconcile pass costs (label parsing and planning) on clusters of 10, 100 and
# 1000 workers, with allocation per operation (-prof gc). Extra arguments go to JMH, e.g. `-p nodes=1000`.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl benchmarks -am package
exec java -jar benchmarks/target/benchmarks.jar PlannerBenchmark -prof gc "$@"
