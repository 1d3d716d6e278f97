#!/usr/bin/env bash
# What a reconcile pass costs.
#
#   scripts/benchmark.sh scale [WORKERS TASKS_PER_NODE HISTORY_PER_SLOT [SERVICES]]
#     Runs the real daemon jar, with the image's JVM flags (bounded heap, serial GC), against a generated Docker
#     Engine API of that size on a unix socket (JSON captured from dockerd 20.10, API 1.41, in controller/src/test/resources/
#     engine-api-1.41), the local Auto Scaling endpoint and a loopback Prometheus, in dry run, with
#     RECONCILE_INTERVAL=2s. Prints pass p50/p99, CPU per pass, the docker/tasks call p50, heap after a full GC,
#     peak RSS and start -> ready, for a steady pass (no policy holds) and a pass that considers a scale-down, and
#     how many passes a burst of 200 node events in 20 s makes, start -> /v1/ping, and the p50/p99 of /v1/ping and
#     /status at 500 requests a second for 20 s. The daemon runs with the image's JVM flags and its class-data
#     sharing archive (scripts/cds-archive.sh). Without a size: 10/100/1000 workers with
#     10/50/100 tasks per node, without and with 5 history tasks per slot (about 20 minutes).
#   scripts/benchmark.sh classlist
#     A training run (10 workers, steady passes, a burst of events, every HTTP route) that writes the classes the
#     daemon loads to controller/src/main/cds/swarm-scaler.classlist, from which scripts/cds-archive.sh makes the
#     class-data sharing archive. Run it when the start path's classes change (ClassListTest names stale entries).
#   scripts/benchmark.sh planner [JMH ARGS]
#     JMH benchmarks of the pure part of a pass (label parsing, planning), up to 1,000 nodes, 2,000 services and
#     100,000 tasks, with allocation per operation (-prof gc). Extra arguments go to JMH, e.g. `-p nodes=1000`.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-scale}"; shift || true
case "$mode" in
  planner)
    mvn -B -q -DskipTests -pl benchmarks -am package
    exec java -jar benchmarks/target/benchmarks.jar PlannerBenchmark -prof gc "$@" ;;
  scale|classlist)
    # The harness lives in the controller's tests and waits with Awaitility: the jar and its test class path.
    mvn -B -q -DskipTests -pl controller -am package dependency:build-classpath -Dmdep.includeScope=test \
      -Dmdep.outputFile=target/test-classpath.txt
    classlist=controller/src/main/cds/swarm-scaler.classlist
    archive=controller/target/swarm-scaler.jsa
    if [ "$mode" = classlist ]; then
      # The training run: the smallest size, briefly, without an archive, the JVM writing what it loads.
      BENCH_OPTS="-Dbench.passes=steady -Dbench.warmupPasses=3 -Dbench.passesMeasured=1 -Dbench.httpSeconds=1"
      BENCH_OPTS="$BENCH_OPTS -Dbench.jvmArgs=-XX:DumpLoadedClassList=$classlist"
      archive=""
      set -- 10 10 0
    else
      # The image's class-data sharing archive, made the image's way for this jar.
      scripts/cds-archive.sh java controller/target/swarm-scaler.jar "$archive" "$classlist" \
        controller/src/main/jvm/jvm.options
    fi
    # BENCH_OPTS: the harness's knobs, e.g. "-Dbench.passes=steady -Dbench.keepLog=true -Dbench.httpSeconds=5".
    # shellcheck disable=SC2086
    run() { java -Xmx4g -Dbench.cdsArchive="$archive" ${BENCH_OPTS:-} \
      -cp "controller/target/test-classes:controller/target/swarm-scaler.jar:$(cat controller/target/test-classpath.txt)" \
      io.swarmscaler.controller.bench.ScaleBenchmark controller/target/swarm-scaler.jar "$@"; }
    if [ $# -gt 0 ]; then run "$@"; exit; fi
    for workers in 10 100 1000; do
      for per_node in 10 50 100; do
        for history in 0 5; do run "$workers" "$per_node" "$history"; done
      done
    done ;;
  *) echo "usage: $0 scale [WORKERS TASKS_PER_NODE HISTORY_PER_SLOT [SERVICES]] | classlist | planner [JMH ARGS]" >&2
    exit 2 ;;
esac
