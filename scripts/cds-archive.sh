#!/bin/sh
# Makes the daemon's class-data sharing archive: the classes a start and its first passes load (picocli,
# docker-java, the AWS SDK and its XML, Jetty, Jackson, the JDK's HTTP client, the planner), parsed and verified
# once here and mapped at every start instead of read from the jar.
#
#   scripts/cds-archive.sh JAVA JAR ARCHIVE CLASSLIST OPTIONS
#
# CLASSLIST (controller/src/main/cds/swarm-scaler.classlist) names those classes. It was written by a training
# run of the daemon against loopback stubs of Docker, AWS and Prometheus (`scripts/benchmark.sh classlist`), so
# it covers what only answered calls load, which a run against closed ports cannot. A class it names that the jar
# no longer has is skipped with a warning (ClassListTest names stale entries). The dump and the check run with
# OPTIONS, the image's JVM options (controller/src/main/jvm/jvm.options).
# Then the archive is checked: `JAVA -jar JAR run` with it, on the aws backend, its endpoints closed loopback ports
# (every call is refused at once, nothing leaves the machine), must reach its loop, answer /v1/ping, and take its
# classes from the archive. The archive fits only that JAVA and that very JAR (same path, size and time): the
# Dockerfile, scripts/build-local-image.sh and scripts/benchmark.sh make it where the jar lies. Fails when the dump
# or the check fails. POSIX sh, for the image's busybox too.
set -eu
java="$1"; jar="$2"; archive="$3"; classlist="$4"; options="$5"
log="${TMPDIR:-/tmp}/cds-archive.$$.log"
fail() {
  echo "cds-archive: $1; its log:" >&2
  head -40 "$log" >&2
  rm -f "$log" "$log.classes"
  exit 1
}
rm -f "$archive"
"$java" -Xshare:dump -XX:SharedClassListFile="$classlist" -XX:SharedArchiveFile="$archive" @"$options" -cp "$jar" \
  >"$log" 2>&1 || fail "the dump from $classlist failed"
[ -s "$archive" ] || fail "the dump wrote no archive"
env NODE_SCALER_BACKEND=aws AWS_WORKER_ASG=cds AWS_DEFAULT_REGION=us-east-1 AWS_ENDPOINT_URL=http://127.0.0.1:9 \
  AWS_ACCESS_KEY_ID=AKIACDSARCHIVE000000 AWS_SECRET_ACCESS_KEY=cds AWS_EC2_METADATA_DISABLED=true \
  AWS_ENV_FILE=/nonexistent PROMETHEUS_ADDRESS=http://127.0.0.1:9 DOCKER_HOST=unix:///nonexistent.sock \
  LISTEN_ADDRESS=127.0.0.1 LISTEN_PORT=0 \
  "$java" -XX:SharedArchiveFile="$archive" -Xlog:class+load=info:file="$log.classes" @"$options" -jar "$jar" run \
  >"$log" 2>&1 &
pid=$!
i=0
while [ $i -lt 120 ] && ! grep -q 'Swarm Scaler running' "$log" && kill -0 "$pid" 2>&-; do
  sleep 0.5; i=$((i + 1))
done
# Only the applets build-local-image.sh links (no sed).
port="$(grep -o 'HTTP API on 127\.0\.0\.1:[0-9]*' "$log" | head -1 | cut -d: -f2)"
url="http://127.0.0.1:${port:-9}/v1/ping"
if command -v wget >/dev/null; then wget -q -O /dev/null "$url" 2>&-; else curl -sf -o /dev/null "$url"; fi \
  && pinged=yes || pinged=no
kill -TERM "$pid" 2>&- || true
wait "$pid" || true
if ! grep -q 'Swarm Scaler running' "$log" || [ "$pinged" = no ] \
  || grep -Eq 'NoClassDefFoundError|ClassNotFoundException|UnsatisfiedLinkError|ServiceConfigurationError' "$log"; then
  fail "the daemon did not run as expected with the archive"
fi
grep -q 'io.swarmscaler.controller.Main source: shared objects file' "$log.classes" \
  || fail "the daemon did not take its classes from the archive (does it fit this java and jar?)"
rm -f "$log" "$log.classes"
echo "cds-archive: $archive ($(du -k "$archive" | cut -f1) KB)" >&2
