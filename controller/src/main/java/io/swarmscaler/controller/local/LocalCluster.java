package io.swarmscaler.controller.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real Swarm on this machine: one {@code dockerd} per node, each in its own network namespace on one Linux
 * bridge, the first node a manager. Everything it creates is named after {@link Settings#name()} and kept under
 * {@link Settings#stateDir()}, so a later start finds the nodes again (after a daemon restart) or removes what a
 * killed run left behind.
 */
public final class LocalCluster implements AutoCloseable {
    /** Engine label on every node we start: the instance id its node group knows it by. */
    public static final String INSTANCE_LABEL = "io.swarmscaler.local.instance";
    /** The image every node has: a static busybox, imported because no registry is reachable. */
    public static final String IMAGE = "swarm-scaler/busybox:1";

    private static final Logger LOG = Logger.getLogger(LocalCluster.class.getName());
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]{0,7}");
    private static final Pattern SUBNET = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final String MANAGER = "m";
    private static final Duration DAEMON_START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration DAEMON_STOP_TIMEOUT = Duration.ofSeconds(20);

    /**
     * @param name prefix of network namespaces, links and hostnames: 1 to 8 lower-case letters or digits
     * @param subnet the first three octets of the private /24 the nodes live on, e.g. {@code 10.213.0}
     */
    public record Settings(String name, Path stateDir, String subnet) {
        public Settings {
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(
                        "local cluster name \"%s\" must be 1 to 8 lower-case letters or digits".formatted(name));
            }
            if (!SUBNET.matcher(subnet).matches()) {
                throw new IllegalArgumentException(
                        "local subnet \"%s\" must be the first three octets of a /24, e.g. 10.213.0".formatted(subnet));
            }
            stateDir = stateDir.toAbsolutePath();
        }
    }

    private final Settings settings;
    private final Path nodesDir;
    private final String bridge;
    private final List<String> bridgeRule;

    private LocalCluster(Settings settings) {
        this.settings = settings;
        this.nodesDir = settings.stateDir().resolve("nodes");
        this.bridge = settings.name() + "-br";
        this.bridgeRule = List.of("FORWARD", "-i", bridge, "-o", bridge, "-j", "ACCEPT");
    }

    /**
     * Finds the cluster a previous run left running and keeps it, or, when its manager is gone, clears every
     * trace of it and starts a fresh one with a manager and no workers.
     */
    public static LocalCluster startOrAdopt(Settings settings) {
        LocalCluster cluster = new LocalCluster(settings);
        if (cluster.adopt()) {
            LOG.info("Local Swarm " + settings.name() + " found running; keeping its nodes "
                    + cluster.workerNodes());
        } else {
            cluster.removeEverything();
            cluster.create();
        }
        return cluster;
    }

    /** Removes whatever a cluster of this name left on the machine, running or not. */
    public static void removeLeftovers(Settings settings) {
        new LocalCluster(settings).removeEverything();
    }

    public String name() {
        return settings.name();
    }

    /** The manager's Docker API, for docker-java and the CLI. */
    public String dockerHost() {
        return "unix://" + socket(MANAGER);
    }

    /** The worker nodes as a node group: desired capacity is the number of workers, booting or joined. */
    public io.swarmscaler.controller.port.NodeGroup workerGroup() {
        return workerGroup(Duration.ZERO);
    }

    /** The same, each node it launches joining only {@code bootDelay} later, as a cloud's instance boots. */
    public io.swarmscaler.controller.port.NodeGroup workerGroup(Duration bootDelay) {
        return new LocalNodeGroup(this, bootDelay);
    }

    public String managerAddress() {
        return address(MANAGER);
    }

    /** The worker nodes present: booting or joined. */
    public List<String> workerNodes() {
        try (Stream<Path> dirs = Files.list(nodesDir)) {
            return dirs.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(settings.name() + "-w"))
                    .sorted(Comparator.comparingInt(this::workerIndex))
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The address a worker node has on the cluster's bridge (what a cloud would call its private IP). */
    public String workerAddress(String node) {
        return address(node);
    }

    public boolean hasJoined(String node) {
        return Files.exists(nodeDir(node).resolve("joined"));
    }

    /** Reserves a name for a new worker; {@link #bootWorker} makes it real. */
    public synchronized String reserveWorker() {
        int next = workerNodes().stream().mapToInt(this::workerIndex).max().orElse(0) + 1;
        next = Math.max(next, readCounter());
        String node = settings.name() + "-w" + next;
        writeCounter(next + 1);
        createDirectories(nodeDir(node));
        return node;
    }

    /** Starts the worker's dockerd and joins it to the Swarm. Takes a few seconds; blocking. */
    public void bootWorker(String node) {
        startDaemon(node, address(node));
        String token = docker(MANAGER, "swarm", "join-token", "-q", "worker");
        if (!join(node, token)) {
            // A join stuck in "pending" on a loaded machine mostly goes through on a second try.
            LOG.warning("Local node " + node + " did not join in time; leaving and joining again");
            Shell.attempt("docker", "-H", "unix://" + socket(node), "swarm", "leave", "--force");
            if (!join(node, token)) {
                throw new LocalClusterException("local node " + node + " could not join the Swarm twice; the end of"
                        + " its dockerd log:\n" + logTail(node) + "\nthe end of the manager's:\n"
                        + logTail(managerNode()), null);
            }
        }
        touch(nodeDir(node).resolve("joined"));
        LOG.info("Local node " + node + " (" + address(node) + ") joined the Swarm");
    }

    /** Whether the node joined, waiting out a join the CLI left to go on in the background on a busy machine. */
    private boolean join(String node, String token) {
        try {
            docker(node, "swarm", "join", "--token", token, "--advertise-addr", address(node),
                    managerAddress() + ":2377");
            return true;
        } catch (LocalClusterException slow) {
            if (!String.valueOf(slow.getMessage()).contains("continue in the background")) {
                throw slow;
            }
            return awaitJoined(node);
        }
    }

    private String logTail(String node) {
        try (Stream<String> lines = Files.lines(nodeDir(nodeName(node)).resolve("dockerd.log"))) {
            List<String> all = lines.toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - 15), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Whether the node's background join completes within a minute. */
    private boolean awaitJoined(String node) {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (System.nanoTime() < deadline) {
            String state = docker(node, "info", "--format", "{{.Swarm.LocalNodeState}}").trim();
            if (state.equals("active")) {
                return true;
            }
            if (!state.equals("pending")) {
                return false;
            }
            LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
        }
        return false;
    }

    /** Stops a node's dockerd and removes its namespace and files. Idempotent. */
    public void removeNode(String node) {
        stopDaemon(node);
        Shell.attempt("ip", "netns", "delete", node);
        deleteTree(nodeDir(node));
    }

    /** Runs the docker CLI against one of our nodes. */
    public String docker(String node, String... args) {
        List<String> command = new ArrayList<>(List.of("docker", "-H", "unix://" + socket(node)));
        command.addAll(List.of(args));
        return Shell.run(null, command);
    }

    public String managerNode() {
        return settings.name() + "-" + MANAGER;
    }

    /** The manager's dockerd, for a test that makes the Swarm's managers unreachable. */
    public long managerDaemonPid() {
        return pid(MANAGER).orElseThrow(() -> new LocalClusterException("the manager's dockerd is not running", null));
    }

    @Override
    public void close() {
        removeEverything();
        LOG.info("Local Swarm " + settings.name() + " removed");
    }

    private boolean adopt() {
        if (!processAlive(MANAGER)) {
            return false;
        }
        try {
            docker(MANAGER, "version");
        } catch (LocalClusterException e) {
            return false;
        }
        ensureBridge();
        for (String node : workerNodes()) {
            if (!processAlive(nodeName(node)) || !hasJoined(node)) {
                LOG.info("Local node " + node + " did not finish booting before the last stop; removing it");
                removeNode(node);
            }
        }
        return true;
    }

    private void create() {
        createDirectories(nodesDir);
        ensureBridge();
        String manager = managerNode();
        createDirectories(nodeDir(manager));
        startDaemon(manager, managerAddress());
        docker(MANAGER, "swarm", "init", "--advertise-addr", managerAddress(),
                "--listen-addr", managerAddress() + ":2377", "--dispatcher-heartbeat", "2s");
        LOG.info("Local Swarm " + settings.name() + " started: manager " + manager + " at " + managerAddress());
    }

    private void ensureBridge() {
        if (!Shell.attempt("ip", "link", "show", bridge)) {
            Shell.run("ip", "link", "add", bridge, "type", "bridge");
            Shell.run("ip", "addr", "add", settings.subnet() + ".1/24", "dev", bridge);
        }
        Shell.run("ip", "link", "set", bridge, "up");
        // A dockerd in the root namespace sets FORWARD to DROP and br_netfilter applies it to bridged frames.
        if (!iptables("-C")) {
            iptables("-I");
        }
    }

    private boolean iptables(String verb) {
        List<String> command = new ArrayList<>(List.of("iptables", verb));
        command.addAll(bridgeRule);
        return Shell.attempt(command.toArray(String[]::new));
    }

    private void startDaemon(String node, String address) {
        String name = nodeName(node);
        Path dir = nodeDir(name);
        createNamespace(name, address);
        List<String> dockerd = List.of("dockerd",
                "--host", "unix://" + socket(name),
                "--data-root", dir.resolve("data").toString(),
                "--exec-root", dir.resolve("exec").toString(),
                "--pidfile", dir.resolve("dockerd.pid").toString(),
                "--bridge", "none", "--iptables=false", "--ip-masq=false",
                "--cgroup-parent", cgroupParent(name),
                "--label", INSTANCE_LABEL + "=" + name,
                "--log-level", "warn");
        // unshare --uts gives the node its own hostname, as machines in a real cluster have.
        List<String> command = new ArrayList<>(List.of("nsenter", "--net=/var/run/netns/" + name,
                "unshare", "--uts", "sh", "-c", "hostname \"$0\" && exec \"$@\"", name));
        command.addAll(dockerd);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("dockerd.log").toFile()));
        builder.environment().put("DOCKER_SERVICE_PREFER_OFFLINE_IMAGE", "1");
        try {
            builder.start();
        } catch (IOException e) {
            throw new LocalClusterException("cannot start dockerd for " + name + ": " + e.getMessage(), e);
        }
        waitForDaemon(name);
        importImage(name);
    }

    private void createNamespace(String node, String address) {
        Shell.attempt("ip", "netns", "delete", node);
        Shell.run("ip", "netns", "add", node);
        String host = node + "h";
        String peer = node + "p";
        Shell.attempt("ip", "link", "delete", host);
        Shell.run("ip", "link", "add", host, "type", "veth", "peer", "name", peer);
        Shell.run("ip", "link", "set", host, "master", bridge, "up");
        Shell.run("ip", "link", "set", peer, "netns", node);
        Shell.run("ip", "-n", node, "addr", "add", address + "/24", "dev", peer);
        Shell.run("ip", "-n", node, "link", "set", peer, "up");
        Shell.run("ip", "-n", node, "link", "set", "lo", "up");
    }

    private void waitForDaemon(String node) {
        long deadline = System.nanoTime() + DAEMON_START_TIMEOUT.toNanos();
        LocalClusterException last = null;
        while (System.nanoTime() < deadline) {
            if (Files.exists(socket(node))) {
                try {
                    docker(node, "version", "--format", "{{.Server.Version}}");
                    return;
                } catch (LocalClusterException notYet) {
                    last = notYet;
                }
            }
            sleep(Duration.ofMillis(200));
        }
        throw new LocalClusterException("dockerd of local node %s did not answer within %ds (see %s)%s".formatted(
                node, DAEMON_START_TIMEOUT.toSeconds(), nodeDir(node).resolve("dockerd.log"),
                last == null ? "" : ": " + last.getMessage()), last);
    }

    private void importImage(String node) {
        Path tar = BusyboxImage.tarball(settings.stateDir());
        Shell.run(tar, List.of("docker", "-H", "unix://" + socket(node), "import", "-", IMAGE));
    }

    private void stopDaemon(String node) {
        Optional<Long> pid = pid(node);
        if (pid.isPresent()) {
            Optional<ProcessHandle> handle = ProcessHandle.of(pid.get());
            handle.ifPresent(ProcessHandle::destroy);
            long deadline = System.nanoTime() + DAEMON_STOP_TIMEOUT.toNanos();
            while (handle.isPresent() && handle.get().isAlive() && System.nanoTime() < deadline) {
                sleep(Duration.ofMillis(100));
            }
        }
        // Whatever survived a stop (or a killed run): dockerd, containerd, shims, and the tasks' processes.
        killProcessesMentioning(nodeDir(node).toString());
        killCgroup(cgroupParent(node));
        unmountUnder(nodeDir(node));
    }

    private void removeEverything() {
        if (Files.isDirectory(nodesDir)) {
            try (Stream<Path> dirs = Files.list(nodesDir)) {
                dirs.map(p -> p.getFileName().toString()).toList().forEach(this::removeNode);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (String ns : Shell.lines(Shell.run("ip", "netns", "list"))) {
            String nsName = ns.split("\\s+")[0];
            if (nsName.startsWith(settings.name() + "-")) {
                Shell.attempt("ip", "netns", "delete", nsName);
            }
        }
        while (iptables("-D")) {
            // one rule per earlier start that was not cleaned up
        }
        Shell.attempt("ip", "link", "delete", bridge);
        unmountUnder(settings.stateDir());
        deleteTree(nodesDir);
    }

    private boolean processAlive(String node) {
        return pid(node).flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false);
    }

    private Optional<Long> pid(String node) {
        Path file = nodeDir(nodeName(node)).resolve("dockerd.pid");
        try {
            return Optional.of(Long.parseLong(Files.readString(file).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void killProcessesMentioning(String path) {
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(path)).orElse(false))
                .forEach(ProcessHandle::destroyForcibly);
    }

    /** Containers run in cgroups under the node's cgroup parent; kill what is left in them (cgroup v1 and v2). */
    private static void killCgroup(String parent) {
        for (Path root : List.of(Path.of("/sys/fs/cgroup/pids"), Path.of("/sys/fs/cgroup"))) {
            Path dir = root.resolve(parent);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> procs = Files.walk(dir)) {
                procs.filter(p -> p.getFileName().toString().equals("cgroup.procs")).forEach(file -> {
                    try {
                        for (String pid : Files.readAllLines(file)) {
                            ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
                        }
                    } catch (IOException | NumberFormatException ignored) {
                        // the cgroup went away meanwhile
                    }
                });
            } catch (IOException | UncheckedIOException ignored) {
                // nothing to kill
            }
        }
    }

    private static void unmountUnder(Path dir) {
        List<String> mounts = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/mounts"), StandardCharsets.UTF_8)) {
                String[] fields = line.split(" ");
                if (fields.length > 1 && fields[1].startsWith(dir.toString())) {
                    mounts.add(fields[1]);
                }
            }
        } catch (IOException e) {
            return;
        }
        mounts.sort(Comparator.reverseOrder()); // deepest first
        mounts.forEach(m -> Shell.attempt("umount", "-l", m));
    }

    private String cgroupParent(String node) {
        return "swarm-scaler-" + node;
    }

    private String nodeName(String nodeOrShort) {
        return nodeOrShort.equals(MANAGER) ? managerNode() : nodeOrShort;
    }

    private Path nodeDir(String node) {
        return nodesDir.resolve(nodeName(node));
    }

    private Path socket(String node) {
        return nodeDir(node).resolve("docker.sock");
    }

    private String address(String node) {
        String name = nodeName(node);
        int host = name.equals(managerNode()) ? 2 : 10 + workerIndex(name);
        if (host > 254) {
            throw new LocalClusterException("no address left on " + settings.subnet() + ".0/24 for " + name, null);
        }
        return settings.subnet() + "." + host;
    }

    private int workerIndex(String node) {
        return Integer.parseInt(node.substring((settings.name() + "-w").length()));
    }

    private int readCounter() {
        try {
            return Integer.parseInt(Files.readString(settings.stateDir().resolve("next-worker")).trim());
        } catch (IOException | NumberFormatException e) {
            return 1;
        }
    }

    private void writeCounter(int next) {
        try {
            Files.writeString(settings.stateDir().resolve("next-worker"), Integer.toString(next));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void touch(Path file) {
        try {
            Files.writeString(file, "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes the tree; what another process removes at the same time (replicas cleaning up together) is fine. */
    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path directory, IOException e) throws IOException {
                    if (e != null && !(e instanceof NoSuchFileException)) {
                        throw e;
                    }
                    Files.deleteIfExists(directory);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException gone) {
            // removed by someone else meanwhile
        } catch (IOException e) {
            throw new LocalClusterException("cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalClusterException("interrupted", e);
        }
    }
}
