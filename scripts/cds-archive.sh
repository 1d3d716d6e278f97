#!/bin/sh
# Makes the daemon's class-data sharing archive: the classes it loads on its way to a running loop (picocli,
# docker-java, the AWS SDK, Jetty, Jackson, the planner), parsed once here and mapped at every start, which then
# takes about half the time.
#
#   scripts/cds-archive.sh JAVA JAR ARCHIVE
#
# Runs `JAVA -XX:ArchiveClassesAtExit=ARCHIVE -jar JAR run` with the image's JVM flags on the aws backend, its
# endpoints closed loopback ports (every call is refused at once, nothing leaves the machine), until it logs that it
# runs, asks each of its HTTP routes once (the request path's classes: the first /v1/ping after a start is served
# from the archive too), then stops it: the JVM writes the archive as it exits. The archive fits only that JAVA and that very JAR
# (same path, size and time): the Dockerfile, scripts/build-local-image.sh and scripts/benchmark.sh make it where
# the jar lies. Fails when the daemon does not get that far or misses a class or library. POSIX sh, for the image's
# busybox too.
set -eu
java="$1"; jar="$2"; archive="$3"
log="${TMPDIR:-/tmp}/cds-archive.$$.log"
rm -f "$archive"
: >"$log"
env NODE_SCALER_BACKEND=aws AWS_WORKER_ASG=cds AWS_DEFAULT_REGION=us-east-1 AWS_ENDPOINT_URL=http://127.0.0.1:9 \
  AWS_ACCESS_KEY_ID=AKIACDSARCHIVE000000 AWS_SECRET_ACCESS_KEY=cds AWS_EC2_METADATA_DISABLED=true \
  AWS_ENV_FILE=/nonexistent PROMETHEUS_ADDRESS=http://127.0.0.1:9 DOCKER_HOST=unix:///nonexistent.sock \
  LISTEN_ADDRESS=127.0.0.1 LISTEN_PORT=0 \
  "$java" -XX:ArchiveClassesAtExit="$archive" -XX:+UseSerialGC -Xmx256m -XX:MaxMetaspaceSize=128m \
  -jar "$jar" run >"$log" 2>&1 &
pid=$!
i=0
while [ $i -lt 120 ] && ! grep -q 'Swarm Scaler running' "$log" && kill -0 "$pid" 2>&-; do
  sleep 0.5; i=$((i + 1))
done
# Only the applets build-local-image.sh links (no sed).
port="$(grep -o 'HTTP API on 127\.0\.0\.1:[0-9]*' "$log" | head -1 | cut -d: -f2)"
for route in v1/ping healthz readyz status metrics; do # busybox wget in the images; curl elsewhere
  url="http://127.0.0.1:$port/$route"
  if command -v wget >/dev/null; then wget -q -O /dev/null "$url" 2>&-; else curl -s -o /dev/null "$url"; fi || true
done
sleep 2 # a few (failing) passes: their classes too
kill -TERM "$pid" 2>&- || true
wait "$pid" || true
if [ ! -s "$archive" ] || ! grep -q 'Swarm Scaler running' "$log" \
  || grep -Eq 'NoClassDefFoundError|ClassNotFoundException|UnsatisfiedLinkError|ServiceConfigurationError' "$log"; then
  echo "cds-archive: the daemon did not run as expected, or wrote no archive; its log:" >&2
  head -40 "$log" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"
echo "cds-archive: $archive ($(du -k "$archive" | cut -f1) KB)" >&2
