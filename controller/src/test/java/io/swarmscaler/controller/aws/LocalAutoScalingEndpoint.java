package io.swarmscaler.controller.aws;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.swarmscaler.controller.local.LocalCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.Assertions;
import org.awaitility.Awaitility;

/**
 * A stand-in for AWS Auto Scaling and the one EC2 call the backend uses, on 127.0.0.1, for tests. It speaks the
 * Query protocol as the real services do (form-encoded {@code POST Action=...&Version=2011-01-01}, XML replies in
 * the services' namespaces, AWS's error XML), so the real SDK clients talk to it through {@code endpointOverride}.
 *
 * <p>Its instances are machines from {@link Machines}: in the integration tests real {@code dockerd} nodes of a
 * {@link LocalCluster} that join the Swarm. Raising the desired capacity launches instances in the background (each
 * {@code Pending} until its node has joined, then {@code InService}); terminating one stops its node. MinSize and
 * MaxSize are enforced like AWS does, with a {@code ValidationError}.
 *
 * <p>Faults to inject: throttling or HTTP 500 for the next calls of an action, launches whose machine never boots
 * (the instance stays {@code Pending}), and launches that fail with a failed scaling activity.
 */
public final class LocalAutoScalingEndpoint implements AutoCloseable {
    public static final String AUTOSCALING_NS = "http://autoscaling.amazonaws.com/doc/2011-01-01/";
    public static final String EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/";
    /** The filter by the tag AWS puts on every instance of an Auto Scaling group. */
    private static final String GROUP_TAG_FILTER = "tag:aws:autoscaling:groupName";
    private static final Logger LOG = Logger.getLogger(LocalAutoScalingEndpoint.class.getName());
    private static final Pattern ACCESS_KEY = Pattern.compile("Credential=([^/,\\s]+)/");

    /** The machines behind the instances. */
    public interface Machines {
        /** Reserves a machine for a new instance and returns its name, which is also its hostname. */
        String reserve();

        String address(String machine);

        /** Starts the machine; returns once its node has joined the Swarm. */
        void boot(String machine);

        void stop(String machine);
    }

    /** Worker nodes of a real local Swarm. */
    public static Machines swarmWorkers(LocalCluster cluster) {
        return new Machines() {
            @Override
            public String reserve() {
                return cluster.reserveWorker();
            }

            @Override
            public String address(String machine) {
                return cluster.workerAddress(machine);
            }

            @Override
            public void boot(String machine) {
                cluster.bootWorker(machine);
            }

            @Override
            public void stop(String machine) {
                cluster.removeNode(machine);
            }
        };
    }

    /** Machines that exist only as names and documentation addresses (198.51.100.0/24), booting at once. */
    public static Machines paperMachines() {
        return new Machines() {
            private int next = 10;

            @Override
            public synchronized String reserve() {
                return "paper" + next++;
            }

            @Override
            public String address(String machine) {
                return "198.51.100." + machine.substring("paper".length());
            }

            @Override
            public void boot(String machine) {}

            @Override
            public void stop(String machine) {}
        };
    }

    /** One accepted or refused request, for assertions. */
    public record Call(Instant at, String action, Map<String, String> parameters, int status, String errorCode) {}

    /** A snapshot of a group. */
    public record GroupView(String name, int min, int max, int desired, Map<String, String> lifecycleById,
            Map<String, String> machineById) {}

    private final class Group {
        final String name;
        int min;
        int max;
        int desired;
        final Map<String, Machine> instances = new LinkedHashMap<>();
        final List<Activity> activities = new ArrayList<>();
        final Instant created = Instant.now();
        /** Its launch template's id, or null when it launches from its launch configuration {@code NAME-lc}. */
        String launchTemplateId;

        Group(String name, int min, int max) {
            this.name = name;
            this.min = min;
            this.max = max;
        }

        long counted() {
            return instances.values().stream().filter(m -> !m.lifecycle.startsWith("Terminat")).count();
        }
    }

    private static final class Machine {
        final String instanceId;
        /** Its group, which AWS tags it with (aws:autoscaling:groupName); null once {@link #untag}ged. */
        volatile String group;
        final String name;
        final String address;
        final Instant launched = Instant.now();
        /** Ours to stop on close: launched here, not adopted. */
        final boolean owned;
        volatile String lifecycle;
        volatile String ec2State;

        Machine(String instanceId, String group, String name, String address, boolean owned, String lifecycle) {
            this.instanceId = instanceId;
            this.group = group;
            this.name = name;
            this.address = address;
            this.owned = owned;
            this.lifecycle = lifecycle;
            this.ec2State = lifecycle.equals("InService") ? "running" : "pending";
        }
    }

    private static final class Activity {
        final String id = UUID.randomUUID().toString();
        final String description;
        final String cause;
        final Instant start = Instant.now();
        volatile Instant end;
        volatile String status;
        volatile String message;

        Activity(String description, String cause, String status) {
            this.description = description;
            this.cause = cause;
            this.status = status;
        }

        void finish(String finalStatus, String finalMessage) {
            status = finalStatus;
            message = finalMessage;
            end = Instant.now();
        }
    }

    private final HttpServer server;
    private final ExecutorService httpThreads = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "fake-asg-http");
        t.setDaemon(true);
        return t;
    });
    private final Machines machines;
    private final Map<String, Group> groups = new LinkedHashMap<>();
    /** Every instance EC2 knows, terminated ones too (EC2 shows them for a while). */
    private final Map<String, Machine> ec2 = new LinkedHashMap<>();
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> throttles = new HashMap<>();
    private final Map<String, Integer> serverErrors = new HashMap<>();
    private final Map<String, Integer> denials = new HashMap<>();
    /** Launch configuration name to its instance type; a group's {@code NAME-lc} launches t2.micro unless set. */
    private final Map<String, String> launchConfigurationTypes = new HashMap<>();
    /** Launch template id to its name and the instance type of its one version, 1, the default. */
    private final Map<String, String[]> launchTemplates = new LinkedHashMap<>();
    /** The instance types EC2 describes here: vCPUs and MiB, as AWS publishes them. */
    private final Map<String, int[]> instanceTypes = new HashMap<>(Map.of("t2.micro", new int[] {1, 1024},
            "m5.large", new int[] {2, 8192}, "m5.xlarge", new int[] {4, 16384}, "r5.large", new int[] {2, 16384}));
    private int launchesThatNeverJoin;
    /** The boots of the launches that {@link #neverJoinNextLaunches} holds back. */
    private final List<Runnable> held = new ArrayList<>();
    private int launchesThatFail;
    private String launchFailureReason = "";
    private Optional<String> requiredAccessKeyId = Optional.empty();
    private final ExecutorService background = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-asg-machine");
        t.setDaemon(true);
        return t;
    });

    private LocalAutoScalingEndpoint(HttpServer server, Machines machines) {
        this.server = server;
        this.machines = machines;
    }

    public static LocalAutoScalingEndpoint start(Machines machines) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LocalAutoScalingEndpoint endpoint = new LocalAutoScalingEndpoint(server, machines);
        server.createContext("/", endpoint::handle);
        server.setExecutor(endpoint.httpThreads);
        server.start();
        return endpoint;
    }

    public URI address() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    // ---- set-up -------------------------------------------------------------------------------------------------

    public synchronized void addGroup(String name, int min, int max) {
        groups.put(name, new Group(name, min, max));
    }

    /** The group launches from a new launch template (version 1, its default) of this instance type. */
    public synchronized String useLaunchTemplate(String group, String templateName, String instanceType) {
        String id = "lt-0%016x".formatted(ThreadLocalRandom.current().nextLong()).substring(0, 20);
        launchTemplates.put(id, new String[] {templateName, instanceType});
        group(group).launchTemplateId = id;
        return id;
    }

    /** The group's launch configuration ({@code NAME-lc}) launches this instance type. */
    public synchronized void setLaunchConfigurationType(String group, String instanceType) {
        launchConfigurationTypes.put(group(group).name + "-lc", instanceType);
    }

    /** Puts a machine that already runs (the Swarm manager) into a group as an InService instance. */
    public synchronized String adoptInstance(String group, String machine, String address) {
        Group g = group(group);
        Machine m = new Machine(newInstanceId(), g.name, machine, address, false, "InService");
        g.instances.put(m.instanceId, m);
        ec2.put(m.instanceId, m);
        g.desired++;
        return m.instanceId;
    }

    /** Takes the group's tag off an instance, as on one whose tag AWS has not written yet. */
    public synchronized void untag(String instanceId) {
        ec2.get(instanceId).group = null;
    }

    /** Sets a group's capacity as the operator would in the console (no call counted) and launches to match. */
    public synchronized void setCapacity(String group, int desired) {
        Group g = group(group);
        g.desired = desired;
        converge(g, "an operator set the desired capacity to " + desired);
    }

    public synchronized void setLimits(String group, int min, int max) {
        Group g = group(group);
        g.min = min;
        g.max = max;
    }

    /** Waits until {@code count} instances of the group are InService. */
    public void awaitInService(String group, int count, Duration timeout) {
        Awaitility.await("%d instances of %s InService".formatted(count, group)).atMost(timeout)
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> Assertions.assertThat(inService(group)).as(() -> String.valueOf(view(group)))
                        .isGreaterThanOrEqualTo(count));
    }

    // ---- faults ---------------------------------------------------------------------------------------------------

    /** The next {@code times} calls of {@code action} get {@code Throttling} (EC2: {@code RequestLimitExceeded}). */
    public synchronized void throttle(String action, int times) {
        throttles.merge(action, times, Integer::sum);
    }

    /** The next {@code times} calls of {@code action} get HTTP 500 {@code InternalFailure}. */
    public synchronized void failWithServerError(String action, int times) {
        serverErrors.merge(action, times, Integer::sum);
    }

    /** The next {@code times} calls of {@code action} get {@code AccessDenied}, as for a missing IAM permission. */
    public synchronized void deny(String action, int times) {
        denials.merge(action, times, Integer::sum);
    }

    /**
     * The next {@code count} launches get an instance whose machine does not boot: it stays Pending until
     * {@link #releaseHeldLaunches()}.
     */
    public synchronized void neverJoinNextLaunches(int count) {
        launchesThatNeverJoin += count;
    }

    /** The machines of the launches held Pending so far boot after all. */
    public synchronized void releaseHeldLaunches() {
        held.forEach(Runnable::run);
        held.clear();
    }

    /** The next {@code count} launches fail with a failed scaling activity and no instance. */
    public synchronized void failNextLaunches(int count, String reason) {
        launchesThatFail += count;
        launchFailureReason = reason;
    }

    /** Answers {@code InvalidClientTokenId} / {@code AuthFailure} to requests signed with another access key. */
    public synchronized void requireAccessKeyId(String accessKeyId) {
        requiredAccessKeyId = Optional.of(accessKeyId);
    }

    // ---- observation ------------------------------------------------------------------------------------------------

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    public List<Call> calls(String action) {
        return calls.stream().filter(c -> c.action().equals(action)).toList();
    }

    /** Calls of {@code action} that were carried out (HTTP 200). */
    public List<Call> accepted(String action) {
        return calls(action).stream().filter(c -> c.status() == 200).toList();
    }

    /** DescribeAutoScalingGroups calls carried out with the instances ({@code full}) or without them. */
    public List<Call> groupReads(boolean full) {
        return accepted("DescribeAutoScalingGroups").stream()
                .filter(c -> includesInstances(c.parameters()) == full).toList();
    }

    public synchronized GroupView view(String name) {
        Group g = group(name);
        Map<String, String> lifecycles = new LinkedHashMap<>();
        Map<String, String> machinesById = new LinkedHashMap<>();
        g.instances.values().forEach(m -> {
            lifecycles.put(m.instanceId, m.lifecycle);
            machinesById.put(m.instanceId, m.name);
        });
        return new GroupView(g.name, g.min, g.max, g.desired, lifecycles, machinesById);
    }

    public synchronized int inService(String group) {
        return (int) group(group).instances.values().stream().filter(m -> m.lifecycle.equals("InService")).count();
    }

    @Override
    public void close() {
        server.stop(0);
        httpThreads.shutdownNow();
        List<Machine> owned;
        synchronized (this) {
            owned = ec2.values().stream().filter(m -> m.owned && !"terminated".equals(m.ec2State)).toList();
        }
        background.shutdownNow();
        try {
            background.awaitTermination(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Machine m : owned) {
            machines.stop(m.name);
        }
    }

    // ---- the protocol -----------------------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> params = form(new String(exchange.getRequestBody().readAllBytes(),
                    StandardCharsets.UTF_8));
            if (exchange.getRequestURI().getRawQuery() != null) {
                params.putAll(form(exchange.getRequestURI().getRawQuery()));
            }
            String action = params.getOrDefault("Action", "");
            boolean isEc2 = "2016-11-15".equals(params.get("Version"));
            Reply reply;
            try {
                reply = answer(action, isEc2, params, exchange.getRequestHeaders().getFirst("Authorization"));
            } catch (Refusal r) {
                reply = error(isEc2, r.status, r.type, r.code, r.getMessage());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "fake Auto Scaling endpoint failed on " + action, e);
                reply = error(isEc2, 500, "Receiver", "InternalFailure", String.valueOf(e.getMessage()));
            }
            calls.add(new Call(Instant.now(), action, Map.copyOf(params), reply.status, reply.errorCode));
            byte[] body = reply.body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/xml");
            exchange.getResponseHeaders().set("x-amzn-RequestId", reply.requestId);
            exchange.sendResponseHeaders(reply.status, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    private record Reply(int status, String body, String errorCode, String requestId) {}

    private static final class Refusal extends RuntimeException {
        final int status;
        final String type;
        final String code;

        Refusal(int status, String type, String code, String message) {
            super(message);
            this.status = status;
            this.type = type;
            this.code = code;
        }

        static Refusal validation(String message) {
            return new Refusal(400, "Sender", "ValidationError", message);
        }
    }

    private synchronized Reply answer(String action, boolean isEc2, Map<String, String> params,
            String authorization) {
        checkSignature(isEc2, authorization);
        injectedFault(action, isEc2);
        String requestId = UUID.randomUUID().toString();
        if (isEc2) {
            return ok(switch (action) {
                case "DescribeInstances" -> describeInstances(params, requestId);
                case "DescribeLaunchTemplateVersions" -> describeLaunchTemplateVersions(params, requestId);
                case "DescribeInstanceTypes" -> describeInstanceTypes(params, requestId);
                default -> throw new Refusal(400, "Sender", "InvalidAction", "The action " + action + " is not valid"
                        + " for this web service.");
            }, requestId);
        }
        String result = switch (action) {
            case "DescribeAutoScalingGroups" -> describeGroups(params);
            case "DescribeLaunchConfigurations" -> describeLaunchConfigurations(params);
            case "SetDesiredCapacity" -> setDesiredCapacity(params);
            case "TerminateInstanceInAutoScalingGroup" -> terminate(params);
            case "DescribeScalingActivities" -> describeActivities(params);
            default -> throw new Refusal(400, "Sender", "InvalidAction", "Could not find operation " + action
                    + " for version 2011-01-01");
        };
        return ok("<%1$sResponse xmlns=\"%2$s\">%3$s<ResponseMetadata><RequestId>%4$s</RequestId>"
                .formatted(action, AUTOSCALING_NS, result, requestId)
                + "</ResponseMetadata></%sResponse>".formatted(action), requestId);
    }

    private void checkSignature(boolean isEc2, String authorization) {
        if (requiredAccessKeyId.isEmpty()) {
            return;
        }
        Matcher m = ACCESS_KEY.matcher(authorization == null ? "" : authorization);
        if (!m.find() || !m.group(1).equals(requiredAccessKeyId.get())) {
            throw isEc2
                    ? new Refusal(401, "Sender", "AuthFailure", "AWS was not able to validate the provided access"
                            + " credentials")
                    : new Refusal(403, "Sender", "InvalidClientTokenId", "The security token included in the request"
                            + " is invalid.");
        }
    }

    private void injectedFault(String action, boolean isEc2) {
        if (take(throttles, action)) {
            throw isEc2 ? new Refusal(503, "Server", "RequestLimitExceeded", "Request limit exceeded.")
                    : new Refusal(400, "Sender", "Throttling", "Rate exceeded");
        }
        if (take(serverErrors, action)) {
            throw new Refusal(500, "Receiver", "InternalFailure", "An internal error has occurred");
        }
        if (take(denials, action)) {
            throw isEc2 ? new Refusal(403, "Sender", "UnauthorizedOperation", "You are not authorized to perform"
                    + " this operation.")
                    : new Refusal(403, "Sender", "AccessDenied", "User: arn:aws:iam::123456789012:user/scaler is not"
                            + " authorized to perform: autoscaling:" + action);
        }
    }

    private static boolean take(Map<String, Integer> counts, String action) {
        Integer left = counts.get(action);
        if (left == null || left <= 0) {
            return false;
        }
        counts.put(action, left - 1);
        return true;
    }

    private String describeGroups(Map<String, String> params) {
        List<String> names = members(params, "AutoScalingGroupNames.member.");
        // IncludeInstances=false: AWS leaves the Instances element out altogether.
        boolean withInstances = includesInstances(params);
        StringBuilder xml = new StringBuilder("<DescribeAutoScalingGroupsResult><AutoScalingGroups>");
        for (Group g : groups.values()) {
            if (!names.isEmpty() && !names.contains(g.name)) {
                continue;
            }
            xml.append("<member>")
                    .append(el("AutoScalingGroupName", g.name))
                    .append(el("AutoScalingGroupARN", "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:"
                            + UUID.nameUUIDFromBytes(g.name.getBytes(StandardCharsets.UTF_8))
                            + ":autoScalingGroupName/" + g.name))
                    .append(launchSource(g))
                    .append(el("MinSize", g.min)).append(el("MaxSize", g.max))
                    .append(el("DesiredCapacity", g.desired))
                    .append(el("DefaultCooldown", 300))
                    .append("<AvailabilityZones><member>us-east-1a</member></AvailabilityZones>")
                    .append("<LoadBalancerNames/>")
                    .append(el("HealthCheckType", "EC2")).append(el("HealthCheckGracePeriod", 300));
            if (withInstances) {
                xml.append(instancesXml(g));
            }
            xml.append(el("CreatedTime", time(g.created)))
                    .append("<SuspendedProcesses/>")
                    .append(el("VPCZoneIdentifier", "subnet-0abc"))
                    .append("<EnabledMetrics/><Tags/><TerminationPolicies><member>Default</member>"
                            + "</TerminationPolicies>")
                    .append(el("NewInstancesProtectedFromScaleIn", false))
                    .append("</member>");
        }
        return xml.append("</AutoScalingGroups></DescribeAutoScalingGroupsResult>").toString();
    }

    private static boolean includesInstances(Map<String, String> params) {
        return !"false".equals(params.get("IncludeInstances"));
    }

    private String instancesXml(Group g) {
        StringBuilder xml = new StringBuilder("<Instances>");
        for (Machine m : g.instances.values()) {
            xml.append("<member>")
                    .append(el("InstanceId", m.instanceId))
                    .append(el("InstanceType", "t2.micro"))
                    .append(el("AvailabilityZone", "us-east-1a"))
                    .append(el("LifecycleState", m.lifecycle))
                    .append(el("HealthStatus", "Healthy"))
                    .append(launchSource(g))
                    .append(el("ProtectedFromScaleIn", false))
                    .append("</member>");
        }
        return xml.append("</Instances>").toString();
    }

    /** A group's and its instances' {@code LaunchTemplate} or {@code LaunchConfigurationName} element. */
    private String launchSource(Group g) {
        if (g.launchTemplateId == null) {
            return el("LaunchConfigurationName", g.name + "-lc");
        }
        return "<LaunchTemplate>" + el("LaunchTemplateId", g.launchTemplateId)
                + el("LaunchTemplateName", launchTemplates.get(g.launchTemplateId)[0]) + el("Version", "$Default")
                + "</LaunchTemplate>";
    }

    /** Auto Scaling's {@code DescribeLaunchConfigurations}: unknown names are left out, as AWS does. */
    private String describeLaunchConfigurations(Map<String, String> params) {
        StringBuilder xml = new StringBuilder("<DescribeLaunchConfigurationsResult><LaunchConfigurations>");
        for (String name : members(params, "LaunchConfigurationNames.member.")) {
            boolean known = groups.values().stream().anyMatch(g -> (g.name + "-lc").equals(name));
            if (!known) {
                continue;
            }
            xml.append("<member>")
                    .append(el("LaunchConfigurationName", name))
                    .append(el("LaunchConfigurationARN", "arn:aws:autoscaling:us-east-1:123456789012:"
                            + "launchConfiguration:" + UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8))
                            + ":launchConfigurationName/" + name))
                    .append(el("ImageId", "ami-0fake"))
                    .append("<SecurityGroups/><ClassicLinkVPCSecurityGroups/>")
                    .append(el("UserData", ""))
                    .append(el("InstanceType", launchConfigurationTypes.getOrDefault(name, "t2.micro")))
                    .append(el("KernelId", "")).append(el("RamdiskId", ""))
                    .append("<BlockDeviceMappings/>")
                    .append("<InstanceMonitoring>").append(el("Enabled", true)).append("</InstanceMonitoring>")
                    .append(el("CreatedTime", time(Instant.EPOCH)))
                    .append(el("EbsOptimized", false))
                    .append("</member>");
        }
        return xml.append("</LaunchConfigurations></DescribeLaunchConfigurationsResult>").toString();
    }

    /** EC2's {@code DescribeLaunchTemplateVersions} for one template by id or name; version 1 is all there is. */
    private String describeLaunchTemplateVersions(Map<String, String> params, String requestId) {
        String id = params.get("LaunchTemplateId");
        String name = params.get("LaunchTemplateName");
        Map.Entry<String, String[]> template = launchTemplates.entrySet().stream()
                .filter(t -> t.getKey().equals(id) || t.getValue()[0].equals(name)).findFirst()
                .orElseThrow(() -> id != null
                        ? new Refusal(400, "Sender", "InvalidLaunchTemplateId.NotFound",
                                "The specified launch template, with template ID %s, does not exist.".formatted(id))
                        : new Refusal(400, "Sender", "InvalidLaunchTemplateName.NotFoundException",
                                "At least one of the launch templates specified in the request does not exist."));
        List<String> versions = members(params, "LaunchTemplateVersion.");
        StringBuilder xml = new StringBuilder("<DescribeLaunchTemplateVersionsResponse xmlns=\"" + EC2_NS + "\">")
                .append(el("requestId", requestId)).append("<launchTemplateVersionSet>");
        if (versions.isEmpty() || versions.stream().anyMatch(v -> List.of("1", "$Default", "$Latest").contains(v))) {
            xml.append("<item>")
                    .append(el("createTime", time(Instant.EPOCH)))
                    .append(el("createdBy", "arn:aws:iam::123456789012:root"))
                    .append(el("defaultVersion", true))
                    .append("<launchTemplateData>")
                    .append(el("imageId", "ami-0fake"))
                    .append(el("instanceType", template.getValue()[1]))
                    .append("</launchTemplateData>")
                    .append(el("launchTemplateId", template.getKey()))
                    .append(el("launchTemplateName", template.getValue()[0]))
                    .append(el("versionNumber", 1))
                    .append("</item>");
        }
        return xml.append("</launchTemplateVersionSet></DescribeLaunchTemplateVersionsResponse>").toString();
    }

    /** EC2's {@code DescribeInstanceTypes} for the types named: their vCPUs and memory, and a few other fields. */
    private String describeInstanceTypes(Map<String, String> params, String requestId) {
        StringBuilder xml = new StringBuilder("<DescribeInstanceTypesResponse xmlns=\"" + EC2_NS + "\">")
                .append(el("requestId", requestId)).append("<instanceTypeSet>");
        for (String type : members(params, "InstanceType.")) {
            int[] size = instanceTypes.get(type);
            if (size == null) {
                throw new Refusal(400, "Sender", "InvalidInstanceType",
                        "The following supplied instance types do not exist: [%s]".formatted(type));
            }
            xml.append("<item>")
                    .append(el("instanceType", type))
                    .append(el("currentGeneration", true))
                    .append(el("freeTierEligible", type.equals("t2.micro")))
                    .append("<supportedUsageClasses><item>on-demand</item><item>spot</item></supportedUsageClasses>")
                    .append(el("bareMetal", false))
                    .append(el("hypervisor", "nitro"))
                    .append("<processorInfo><supportedArchitectures><item>x86_64</item></supportedArchitectures>")
                    .append("</processorInfo>")
                    .append("<vCpuInfo>").append(el("defaultVCpus", size[0])).append(el("defaultCores", size[0]))
                    .append(el("defaultThreadsPerCore", 1)).append("</vCpuInfo>")
                    .append("<memoryInfo>").append(el("sizeInMiB", size[1])).append("</memoryInfo>")
                    .append("</item>");
        }
        return xml.append("</instanceTypeSet></DescribeInstanceTypesResponse>").toString();
    }

    private String setDesiredCapacity(Map<String, String> params) {
        Group g = namedGroup(params.get("AutoScalingGroupName"));
        int desired = integer(params, "DesiredCapacity");
        if (desired > g.max) {
            throw Refusal.validation("New SetDesiredCapacity value %d is above max value %d for the AutoScalingGroup."
                    .formatted(desired, g.max));
        }
        if (desired < g.min) {
            throw Refusal.validation("New SetDesiredCapacity value %d is below min value %d for the AutoScalingGroup."
                    .formatted(desired, g.min));
        }
        int from = g.desired;
        g.desired = desired;
        converge(g, "a user request explicitly set group desired capacity changing the desired capacity from %d to %d"
                .formatted(from, desired));
        return "";
    }

    private String terminate(Map<String, String> params) {
        String id = params.getOrDefault("InstanceId", "");
        boolean decrement = Boolean.parseBoolean(params.getOrDefault("ShouldDecrementDesiredCapacity", ""));
        if (!params.containsKey("ShouldDecrementDesiredCapacity")) {
            throw Refusal.validation("1 validation error detected: Value null at 'shouldDecrementDesiredCapacity'"
                    + " failed to satisfy constraint: Member must not be null");
        }
        Group g = groups.values().stream().filter(x -> x.instances.containsKey(id)).findFirst()
                .orElseThrow(() -> Refusal.validation("Instance Id not found - No managed instance found for"
                        + " instance ID: " + id));
        Machine m = g.instances.get(id);
        if (decrement && g.desired - 1 < g.min) {
            throw Refusal.validation("Currently, desiredCapacity (%d) is at minSize (%d); terminating instance %s"
                    .formatted(g.desired, g.min, id) + " with ShouldDecrementDesiredCapacity would go below it.");
        }
        Activity activity = new Activity("Terminating EC2 instance: " + id,
                "At %s instance %s was taken out of service in response to a user request%s.".formatted(time(
                        Instant.now()), id, decrement ? ", shrinking the capacity from %d to %d".formatted(g.desired,
                        g.desired - 1) : ""), "InProgress");
        g.activities.add(activity);
        if (decrement) {
            g.desired--;
        }
        m.lifecycle = "Terminating";
        m.ec2State = "shutting-down";
        stopInBackground(g, m, activity);
        if (!decrement) {
            converge(g, "an instance was terminated without decrementing the desired capacity");
        }
        return "<TerminateInstanceInAutoScalingGroupResult><Activity>" + activityXml(g, activity)
                + "</Activity></TerminateInstanceInAutoScalingGroupResult>";
    }

    private String describeActivities(Map<String, String> params) {
        Group g = namedGroup(params.get("AutoScalingGroupName"));
        int max = params.containsKey("MaxRecords") ? integer(params, "MaxRecords") : 100;
        List<Activity> newestFirst = new ArrayList<>(g.activities);
        java.util.Collections.reverse(newestFirst);
        StringBuilder xml = new StringBuilder("<DescribeScalingActivitiesResult><Activities>");
        newestFirst.stream().limit(max).forEach(a -> xml.append("<member>").append(activityXml(g, a))
                .append("</member>"));
        return xml.append("</Activities></DescribeScalingActivitiesResult>").toString();
    }

    private String activityXml(Group g, Activity a) {
        StringBuilder xml = new StringBuilder()
                .append(el("ActivityId", a.id))
                .append(el("AutoScalingGroupName", g.name))
                .append(el("Description", a.description))
                .append(el("Cause", a.cause))
                .append(el("StartTime", time(a.start)));
        if (a.end != null) {
            xml.append(el("EndTime", time(a.end)));
        }
        xml.append(el("StatusCode", a.status));
        if (a.message != null) {
            xml.append(el("StatusMessage", a.message));
        }
        return xml.append(el("Progress", a.end == null ? 50 : 100)).append(el("Details", "{}")).toString();
    }

    private String describeInstances(Map<String, String> params, String requestId) {
        List<String> ids = members(params, "InstanceId.");
        for (String id : ids) {
            if (!ec2.containsKey(id)) {
                throw new Refusal(400, "Sender", "InvalidInstanceID.NotFound",
                        "The instance ID '%s' does not exist".formatted(id));
            }
        }
        Map<String, List<String>> filters = new HashMap<>();
        for (int n = 1; params.containsKey("Filter." + n + ".Name"); n++) {
            filters.put(params.get("Filter." + n + ".Name"), members(params, "Filter." + n + ".Value."));
        }
        for (String name : filters.keySet()) {
            if (!name.equals("instance-id") && !name.equals(GROUP_TAG_FILTER)) {
                throw new Refusal(400, "Sender", "InvalidParameterValue", "The filter '" + name + "' is not"
                        + " supported by this test endpoint");
            }
        }
        StringBuilder xml = new StringBuilder("<DescribeInstancesResponse xmlns=\"" + EC2_NS + "\">")
                .append(el("requestId", requestId)).append("<reservationSet>");
        for (Machine m : ec2.values()) {
            if ((!ids.isEmpty() && !ids.contains(m.instanceId))
                    || (filters.containsKey("instance-id") && !filters.get("instance-id").contains(m.instanceId))
                    || (filters.containsKey(GROUP_TAG_FILTER) && !filters.get(GROUP_TAG_FILTER).contains(m.group))) {
                continue;
            }
            xml.append("<item>")
                    .append(el("reservationId", "r-" + m.instanceId.substring(2)))
                    .append(el("ownerId", "123456789012"))
                    .append("<groupSet/><instancesSet><item>")
                    .append(el("instanceId", m.instanceId))
                    .append(el("imageId", "ami-0fake"))
                    .append("<instanceState>").append(el("code", ec2StateCode(m.ec2State)))
                    .append(el("name", m.ec2State)).append("</instanceState>")
                    .append(el("privateDnsName", m.name))
                    .append(el("dnsName", ""))
                    .append(el("instanceType", "t2.micro"))
                    .append(el("launchTime", time(m.launched)))
                    .append("<placement>").append(el("availabilityZone", "us-east-1a")).append("</placement>")
                    .append(el("subnetId", "subnet-0abc"))
                    .append(el("vpcId", "vpc-0abc"))
                    .append(el("privateIpAddress", m.address))
                    .append(m.group == null ? "<tagSet/>" : "<tagSet><item>" + el("key", "aws:autoscaling:groupName")
                            + el("value", m.group) + "</item></tagSet>")
                    .append("</item></instancesSet></item>");
        }
        return xml.append("</reservationSet></DescribeInstancesResponse>").toString();
    }

    private static int ec2StateCode(String state) {
        return switch (state) {
            case "pending" -> 0;
            case "running" -> 16;
            case "shutting-down" -> 32;
            default -> 48;
        };
    }

    // ---- the group's behaviour ----------------------------------------------------------------------------------------

    /** Launches or terminates until the group has its desired number of instances, as AWS does. */
    private void converge(Group g, String cause) {
        while (g.counted() < g.desired) {
            if (!launch(g, cause)) {
                return; // AWS retries a failed launch later; a test wants to see the failure stay
            }
        }
        List<Machine> newestFirst = new ArrayList<>(g.instances.values());
        java.util.Collections.reverse(newestFirst);
        for (Machine m : newestFirst) {
            if (g.counted() <= g.desired) {
                break;
            }
            if (!m.lifecycle.startsWith("Terminat")) {
                Activity activity = new Activity("Terminating EC2 instance: " + m.instanceId, cause, "InProgress");
                g.activities.add(activity);
                m.lifecycle = "Terminating";
                stopInBackground(g, m, activity);
            }
        }
    }

    private boolean launch(Group g, String cause) {
        String at = "At %s %s.".formatted(time(Instant.now()), cause);
        if (launchesThatFail > 0) {
            launchesThatFail--;
            Activity failed = new Activity("Launching a new EC2 instance.  Status Reason: " + launchFailureReason,
                    at, "Failed");
            failed.finish("Failed", launchFailureReason);
            g.activities.add(failed);
            return false;
        }
        String machine = machines.reserve();
        Machine m = new Machine(newInstanceId(), g.name, machine, machines.address(machine), true, "Pending");
        g.instances.put(m.instanceId, m);
        ec2.put(m.instanceId, m);
        Activity activity = new Activity("Launching a new EC2 instance: " + m.instanceId, at, "InProgress");
        g.activities.add(activity);
        if (launchesThatNeverJoin > 0) {
            launchesThatNeverJoin--;
            held.add(() -> boot(g, m, activity));
            return true; // stays Pending: its machine does not boot until released
        }
        boot(g, m, activity);
        return true;
    }

    /** Boots the instance's machine in the background; it turns InService once its node has joined. */
    private void boot(Group g, Machine m, Activity activity) {
        String machine = m.name;
        background.execute(() -> {
            try {
                machines.boot(machine);
                synchronized (this) {
                    m.lifecycle = "InService";
                    m.ec2State = "running";
                    activity.finish("Successful", null);
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "machine " + machine + " of " + g.name + " failed to boot", e);
                synchronized (this) {
                    g.instances.remove(m.instanceId);
                    m.ec2State = "terminated";
                    activity.finish("Failed", "Instance failed to boot: " + e.getMessage());
                }
                machines.stop(machine);
            }
        });
    }

    private void stopInBackground(Group g, Machine m, Activity activity) {
        background.execute(() -> {
            if (m.owned) {
                machines.stop(m.name);
            }
            synchronized (this) {
                g.instances.remove(m.instanceId);
                m.lifecycle = "Terminated";
                m.ec2State = "terminated";
                activity.finish("Successful", null);
            }
        });
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    private Group group(String name) {
        Group g = groups.get(name);
        if (g == null) {
            throw new IllegalArgumentException("no group " + name);
        }
        return g;
    }

    private Group namedGroup(String name) {
        Group g = name == null ? null : groups.get(name);
        if (g == null) {
            throw Refusal.validation("AutoScalingGroup name not found - no such group: " + name);
        }
        return g;
    }

    private static int integer(Map<String, String> params, String name) {
        try {
            return Integer.parseInt(params.getOrDefault(name, ""));
        } catch (NumberFormatException e) {
            throw Refusal.validation("1 validation error detected: Value at '%s' failed to satisfy constraint:"
                    .formatted(name) + " Member must be an integer");
        }
    }

    private static List<String> members(Map<String, String> params, String prefix) {
        List<String> values = new ArrayList<>();
        for (int n = 1; params.containsKey(prefix + n); n++) {
            values.add(params.get(prefix + n));
        }
        return values;
    }

    private static Map<String, String> form(String body) {
        Map<String, String> params = new LinkedHashMap<>();
        if (body.isEmpty()) {
            return params;
        }
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            params.put(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return params;
    }

    private static Reply ok(String body, String requestId) {
        return new Reply(200, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + body, null, requestId);
    }

    /** AWS's error XML: the Query protocol's {@code ErrorResponse}, or EC2's {@code Response/Errors}. */
    private static Reply error(boolean isEc2, int status, String type, String code, String message) {
        String requestId = UUID.randomUUID().toString();
        String body = isEc2
                ? "<Response><Errors><Error>%s%s</Error></Errors>%s</Response>".formatted(el("Code", code),
                        el("Message", message), el("RequestID", requestId))
                : "<ErrorResponse xmlns=\"%s\"><Error>%s%s%s</Error>%s</ErrorResponse>".formatted(AUTOSCALING_NS,
                        el("Type", type), el("Code", code), el("Message", message), el("RequestId", requestId));
        return new Reply(status, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + body, code, requestId);
    }

    private static String el(String name, Object value) {
        String text = String.valueOf(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;");
        return "<" + name + ">" + text + "</" + name + ">";
    }

    private static String time(Instant at) {
        return at.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private static String newInstanceId() {
        return "i-0%016x".formatted(ThreadLocalRandom.current().nextLong()).substring(0, 19);
    }
}
