#!/usr/bin/env bash
# Builds the image swarm-scaler:local on a Docker engine WITHOUT pulling anything, for machines that reach no
# registry (the local Swarm of scripts/run-local.sh and the tests). With a registry, use the Dockerfile instead.
#
#   scripts/build-local-image.sh [DOCKER_HOST]     e.g. unix:///var/lib/swarm-scaler/local/nodes/ssl-m/docker.sock
#
# DOCKER_HOST defaults to $DOCKER_HOST, then the local socket. The image is a root file system made here:
#   /opt/java                          a Java runtime made with jlink from this machine's JDK (modules from jdeps)
#   /lib, /lib64                       the shared libraries that runtime links against, copied from this machine
#   /opt/swarm-scaler/swarm-scaler.jar the daemon (built with Maven when missing)
#   /opt/swarm-scaler/swarm-scaler.jsa its class-data sharing archive (scripts/cds-archive.sh, in the root file system)
#   /bin/busybox                       Debian's static busybox: sh, and wget for the health check
# tarred and given to `docker import`. The tarball is cached under target/local-image/, keyed by the jar, the JDK
# and this script, so a second run only imports it (or does nothing when the engine has this very image).
# Environment: IMAGE (default swarm-scaler:local), REBUILD_JAR=true to rebuild the jar even when it exists.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then exec sudo -E "$0" "$@"; fi
cd "$(dirname "$0")/.."

host="${1:-${DOCKER_HOST:-unix:///var/run/docker.sock}}"
case "$host" in /*) host="unix://$host" ;; esac
image="${IMAGE:-swarm-scaler:local}"
jar=controller/target/swarm-scaler.jar
options=controller/src/main/jvm/jvm.options
cache=target/local-image
busybox=/bin/busybox
# Modules the daemon needs at run time beyond what jdeps sees: TLS with EC keys (AWS), the JDK HTTP server
# (the API), JMX metrics, reflection helpers, JNDI (SDK), and the HTTP client.
extra_modules=jdk.crypto.ec,jdk.httpserver,java.net.http,jdk.unsupported,java.naming,java.management
# Natives of java.desktop (AWT, sound, fonts) that a headless daemon never loads: their X11 libraries are not copied.
desktop_natives='^lib(awt.*|splashscreen|jsound|fontmanager|jawt|lcms|javajpeg|mlib_image)\.so$'

say() { echo "build-local-image: $*" >&2; }
die() { say "$*"; exit 1; }

command -v jlink >/dev/null && command -v jdeps >/dev/null || die "jlink and jdeps are missing: install a JDK 17 (openjdk-17-jdk-headless)"
[ -x "$busybox" ] || die "$busybox is missing: install Debian's busybox-static (scripts/install-deps.sh)"
command -v docker >/dev/null || die "the docker CLI is missing: install docker.io"

if [ ! -f "$jar" ] || [ "${REBUILD_JAR:-false}" = true ]; then
  say "building $jar"
  mvn -B -q -DskipTests package
fi

java_home="$(dirname "$(dirname "$(readlink -f "$(command -v jlink)")")")"
key="$( { sha256sum "$jar" | cut -d' ' -f1; "$java_home/bin/java" -version 2>&1; sha256sum "$busybox" "$0" scripts/cds-archive.sh controller/src/main/cds/swarm-scaler.classlist "$options"; } \
  | sha256sum | cut -c1-16)"
tarball="$cache/rootfs-$key.tar"

already="$(docker -H "$host" image inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$image" 2>/dev/null \
  | sed -n 's/^SWARM_SCALER_IMAGE_KEY=//p' || true)"
if [ "$already" = "$key" ]; then
  say "$image is up to date on $host (key $key)"
  exit 0
fi

if [ ! -f "$tarball" ]; then
  mkdir -p "$cache"
  work="$(mktemp -d "$PWD/$cache/work.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  rootfs="$work/rootfs"
  mkdir -p "$rootfs"/{bin,opt/swarm-scaler,etc,tmp,run,var/run,proc,sys,dev}
  chmod 1777 "$rootfs/tmp"

  say "finding the Java modules the jar uses (jdeps, about 30 s)"
  modules="$(jdeps --print-module-deps --ignore-missing-deps --multi-release 17 "$jar" | tail -1)"
  modules="$(tr , '\n' <<<"$modules,$extra_modules" | sort -u | paste -sd, -)"
  say "making a Java runtime with $modules"
  # --generate-cds-archive: a class-data sharing archive for the runtime, so the daemon starts faster.
  jlink --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --compress=2 \
    --generate-cds-archive --output "$rootfs/opt/java" >/dev/null

  # The runtime is dynamically linked (glibc, zlib, libstdc++ ...): copy the libraries it needs, at their paths.
  find "$rootfs/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) | while read -r elf; do
    if basename "$elf" | grep -Eq "$desktop_natives"; then continue; fi
    ldd "$elf" 2>/dev/null | grep -Eo '/[^ ]+' || true
  done | grep -v "^$rootfs" | sort -u | while read -r lib; do
    [ -e "$lib" ] && cp -L --parents "$lib" "$rootfs/"
  done

  cp "$jar" "$rootfs/opt/swarm-scaler/swarm-scaler.jar"
  cp "$options" "$rootfs/opt/swarm-scaler/jvm.options"
  cp "$busybox" "$rootfs/bin/busybox"
  for applet in sh ash cat echo env grep ls ps sleep wget nslookup rm du cut head; do
    ln -s busybox "$rootfs/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\n' >"$rootfs/etc/group"
  printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
  mkdir -p "$rootfs/root"

  # Does the runtime run, with only what is in the image? In a chroot nothing of this machine's /usr is visible;
  # /proc is mounted there (in a private mount namespace) as Docker does, since the loader needs /proc/self/exe.
  in_rootfs=(unshare --mount --fork --kill-child=TERM
    sh -c 'mount --bind /proc "$0/proc" && exec chroot "$0" /bin/env -i "$@"' "$rootfs" PATH=/opt/java/bin:/bin)
  timeout 60 "${in_rootfs[@]}" java -jar /opt/swarm-scaler/swarm-scaler.jar --help >/dev/null 2>&1 \
    || die "the runtime in $rootfs does not run swarm-scaler --help"
  # `run` as far as the loop and the HTTP API: configuration, the AWS SDK (its endpoint a closed loopback port, so
  # every call is refused at once) and docker-java; it must run with no class or library missing. The same run
  # leaves the class-data sharing archive of the image's runtime for this jar (scripts/cds-archive.sh).
  cp scripts/cds-archive.sh controller/src/main/cds/swarm-scaler.classlist "$rootfs/tmp/"
  mknod -m 666 "$rootfs/dev/null" c 1 3 # for the shell's background job; Docker mounts its own /dev at run time
  smoke="$work/smoke.log"
  if ! "${in_rootfs[@]}" TMPDIR=/tmp sh /tmp/cds-archive.sh java /opt/swarm-scaler/swarm-scaler.jar \
    /opt/swarm-scaler/swarm-scaler.jsa /tmp/swarm-scaler.classlist /opt/swarm-scaler/jvm.options >"$smoke" 2>&1; then
    say "the runtime in $rootfs does not run swarm-scaler run as expected:"
    head -50 "$smoke" >&2
    exit 1
  fi
  rm -f "$smoke" "$rootfs/tmp/cds-archive.sh" "$rootfs/tmp/swarm-scaler.classlist" "$rootfs/dev/null"

  tar --numeric-owner -C "$rootfs" -cf "$work/rootfs.tar" .
  rm -f "$cache"/rootfs-*.tar
  mv "$work/rootfs.tar" "$tarball"
  say "root file system cached as $tarball ($(du -h "$tarball" | cut -f1))"
fi

# docker import takes no HEALTHCHECK: the stacks (stacks/*.yml) declare it. The JVM's options are the Dockerfile's
# (controller/src/main/jvm/jvm.options) and the class-data sharing archive.
docker -H "$host" import \
  --change 'ENTRYPOINT ["/opt/java/bin/java", "@/opt/swarm-scaler/jvm.options", "-XX:SharedArchiveFile=/opt/swarm-scaler/swarm-scaler.jsa", "-jar", "/opt/swarm-scaler/swarm-scaler.jar"]' \
  --change 'CMD ["run"]' \
  --change 'ENV PATH=/opt/java/bin:/bin' \
  --change "ENV SWARM_SCALER_IMAGE_KEY=$key" \
  --change 'EXPOSE 8080' \
  --change 'WORKDIR /' \
  - "$image" <"$tarball" >/dev/null
say "imported $image on $host ($(docker -H "$host" image inspect -f '{{.Size}}' "$image" | numfmt --to=iec))"
