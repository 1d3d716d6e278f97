# Swarm Scaler's image, for machines that reach a registry:
#   docker build -t registry.example.com/swarm-scaler:0.1.0 . && docker push registry.example.com/swarm-scaler:0.1.0
# then deploy stacks/scaler.yml with SCALER_IMAGE set to it. (Without a registry, scripts/build-local-image.sh makes
# an equivalent image from this machine's JDK and imports it on a Docker engine without pulling anything.)

FROM maven:3-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY api-model api-model
COPY controller controller
COPY benchmarks benchmarks
COPY config config
RUN mvn -B -DskipTests -pl controller -am package

FROM eclipse-temurin:17-jre-alpine
COPY --from=build /src/controller/target/swarm-scaler.jar /opt/swarm-scaler/swarm-scaler.jar
# The JVM's options: a bounded heap, the serial collector, the archive below, the JIT's priority; each explained there.
COPY controller/src/main/jvm/jvm.options /opt/swarm-scaler/jvm.options
# The class-data sharing archive of the classes a start and its first passes load, made by this very runtime for
# this very jar from the training run's class list: it starts in about half the time (README, Performance).
COPY scripts/cds-archive.sh controller/src/main/cds/swarm-scaler.classlist /tmp/
RUN sh /tmp/cds-archive.sh java /opt/swarm-scaler/swarm-scaler.jar /opt/swarm-scaler/swarm-scaler.jsa \
    /tmp/swarm-scaler.classlist /opt/swarm-scaler/jvm.options \
  && rm /tmp/cds-archive.sh /tmp/swarm-scaler.classlist
# Runs as root only because the daemon talks to the manager's Docker socket (/var/run/docker.sock, owned by
# root:docker): it reads nodes, services and tasks, drains and removes nodes. To run it unprivileged instead, give
# it the socket's group, e.g. `user: "65534:<gid of the docker group on the manager>"` in the stack.
USER root
EXPOSE 8080
# Liveness: /healthz fails only when the reconcile loop has stopped attempting passes, so Swarm restarts a stuck
# daemon and never one whose Docker or Prometheus is down (a restart would cure nothing and lose its memory).
# /readyz keeps dependency readiness for people and load balancers.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD wget -q -O /dev/null "http://127.0.0.1:${LISTEN_PORT:-8080}/healthz" || exit 1
ENTRYPOINT ["java", "@/opt/swarm-scaler/jvm.options", "-XX:SharedArchiveFile=/opt/swarm-scaler/swarm-scaler.jsa", \
  "-jar", "/opt/swarm-scaler/swarm-scaler.jar"]
CMD ["run"]
