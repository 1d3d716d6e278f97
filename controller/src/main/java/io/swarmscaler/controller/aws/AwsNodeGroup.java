package io.swarmscaler.controller.aws;

import io.swarmscaler.controller.port.NodeGroup;
import io.swarmscaler.model.Instance;
import io.swarmscaler.model.NodeRole;
import io.swarmscaler.model.NodeShape;
import io.swarmscaler.model.SwarmNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.autoscaling.model.Activity;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Filter;

/**
 * One Auto Scaling group as a {@link NodeGroup}. Grows only with {@code SetDesiredCapacity} (never
 * {@code UpdateAutoScalingGroup}, so the group's MinSize and MaxSize stay the operator's), shrinks only by
 * terminating a chosen instance with {@code ShouldDecrementDesiredCapacity=true}, and finds the instance of a
 * Swarm node through EC2's private IP address and private DNS name.
 */
final class AwsNodeGroup implements NodeGroup {
    private static final Logger LOG = Logger.getLogger(AwsNodeGroup.class.getName());
    /** Describing instances takes at most this many ids per call. */
    private static final int IDS_PER_CALL = 100;
    /**
     * The tag AWS puts on every instance an Auto Scaling group launches or attaches: with more unknown instances
     * than one call by id holds (a start), one call by it reads the whole group instead of one call per 100.
     */
    private static final String GROUP_TAG = "tag:aws:autoscaling:groupName";
    /** EC2's largest page. */
    private static final int INSTANCES_PER_PAGE = 1000;
    /** How many of the latest scaling activities to read when a launch seems overdue. */
    private static final int ACTIVITIES_READ = 10;
    /** AWS's clock and ours may differ a little; a failure this much before our request is still ours. */
    private static final Duration CLOCK_SLACK = Duration.ofSeconds(30);
    private static final int MESSAGE_LIMIT = 400;
    /**
     * A node of our role that matches no known instance makes us read the instances again, at most this often: a
     * pass reads them anyway while the group changes, so this matters for a node whose instance was never seen
     * launching (one AWS put in while we read the group lightly).
     */
    private static final Duration MISS_REFRESH = Duration.ofSeconds(15);
    /**
     * A settled group is read without its instances, but with them at least this often: changes that leave the
     * desired, min and max alone, such as AWS replacing an instance that failed its health check, show within it.
     */
    private static final Duration FULL_READ_REFRESH = Duration.ofSeconds(30);

    /** What EC2 says of one instance, the two ways a Swarm node can be matched to it. */
    private record Addresses(String privateIp, String privateDnsName) {}

    /**
     * The group read with its instances, and whether a light read may stand for it: only while it is settled
     * (every instance InService, as many as desired, an empty group's launch shape known) and we have not written
     * to the group since ({@code writesBefore}, counted before the read began).
     */
    private record FullReading(Instant at, long writesBefore, Capacity capacity, boolean settled) {
        static FullReading of(Instant at, long writesBefore, Capacity capacity) {
            long inService = capacity.instances().stream()
                    .filter(i -> i.lifecycle() == Instance.Lifecycle.IN_SERVICE).count();
            boolean shapeKnown = inService > 0 || capacity.launchShape().isPresent();
            return new FullReading(at, writesBefore, capacity, inService == capacity.instances().size()
                    && inService == capacity.desired() && shapeKnown);
        }

        boolean hasSizesOf(AutoScalingGroup group) {
            return capacity.desired() == group.desiredCapacity() && capacity.min() == group.minSize()
                    && capacity.max() == group.maxSize();
        }
    }

    private final NodeRole role;
    private final String groupName;
    private final AwsApi api;
    private final LaunchShapes launchShapes;
    private final Clock clock;
    private final String subject;
    /** What is wrong when AWS knows no group of that name, naming the setting and the region. */
    private final String noSuchGroup;
    /** Instance id to addresses; an instance keeps its private IP and DNS name for its whole life. */
    private final Map<String, Addresses> addresses = new ConcurrentHashMap<>();
    /** The same, looked up the way a node is matched: every pass matches every node, 1,000 of them at scale. */
    private volatile AddressIndex index = AddressIndex.of(Map.of());
    private volatile boolean addressesKnown;
    private volatile Instant addressesReadAt = Instant.MIN;
    private volatile Instant lastScaleUp;
    /** SetDesiredCapacity and TerminateInstanceInAutoScalingGroup calls begun: each makes the next read full. */
    private final AtomicLong writes = new AtomicLong();
    private volatile FullReading lastFullReading;

    /**
     * @param variable the setting that named the group, for messages ({@code AWS_WORKER_ASG})
     */
    AwsNodeGroup(NodeRole role, String groupName, String variable, String region, AwsApi api,
            LaunchShapes launchShapes, Clock clock) {
        this.role = role;
        this.groupName = groupName;
        this.api = api;
        this.launchShapes = launchShapes;
        this.clock = clock;
        this.subject = "Auto Scaling group " + groupName;
        this.noSuchGroup = ("%s=%s: there is no Auto Scaling group of that name in %s: expected the name of the %s"
                + " group, e.g. from aws autoscaling describe-auto-scaling-groups, and AWS_DEFAULT_REGION its region")
                .formatted(variable, groupName, region, role.word());
    }

    @Override
    public NodeRole role() {
        return role;
    }

    @Override
    public String backend() {
        return "aws";
    }

    String groupName() {
        return groupName;
    }

    /**
     * Reads the group without its instances (a fraction of the XML at 1,000 instances) and answers with those of
     * the last full reading while that still holds; else, or when desired, min or max moved, reads them too.
     */
    @Override
    public Capacity capacity() {
        FullReading last = lastFullReading;
        if (last != null && stillHolds(last) && last.hasSizesOf(describeGroup(false))) {
            return last.capacity();
        }
        return readFully();
    }

    private boolean stillHolds(FullReading last) {
        return last.settled() && last.writesBefore() == writes.get()
                && clock.instant().isBefore(last.at().plus(FULL_READ_REFRESH));
    }

    private Capacity readFully() {
        long writesBefore = writes.get();
        Instant at = clock.instant();
        AutoScalingGroup group = describeGroup(true);
        List<Instance> instances = group.instances().stream()
                .map(i -> new Instance(i.instanceId(), lifecycle(i.lifecycleStateAsString()), "", false))
                .toList();
        rememberAddresses(instances.stream().map(Instance::id).collect(Collectors.toSet()));
        int desired = group.desiredCapacity();
        long counted = instances.stream().filter(Instance::countsAsCapacity).count();
        // A launch can only have failed while fewer instances exist than asked for; no need to ask otherwise.
        Optional<String> launchFailure = counted < desired ? latestLaunchFailure() : Optional.empty();
        // No node in service shows a node's size: the launch template's instance type tells it.
        boolean noneInService = instances.stream().noneMatch(i -> i.lifecycle() == Instance.Lifecycle.IN_SERVICE);
        Optional<NodeShape> launchShape = noneInService ? launchShapes.of(group, subject) : Optional.empty();
        Capacity capacity = new Capacity(desired, group.minSize(), group.maxSize(), instances, launchFailure,
                launchShape);
        lastFullReading = FullReading.of(at, writesBefore, capacity);
        return capacity;
    }

    @Override
    public void setDesiredCapacity(int desired) {
        int current = describeGroup(false).desiredCapacity();
        if (desired < current) {
            // Lowering the desired capacity lets AWS pick which instance dies, tasks and all: never do that.
            throw new IllegalArgumentException(("the aws backend lowers the capacity of %s only by terminating a"
                    + " drained instance; asked for %d with %d desired").formatted(groupName, desired, current));
        }
        if (desired == current) {
            return;
        }
        lastScaleUp = clock.instant();
        writes.incrementAndGet();
        api.failures().call("autoscaling:SetDesiredCapacity", subject, () -> api.autoScaling().setDesiredCapacity(b -> b
                .autoScalingGroupName(groupName).desiredCapacity(desired).honorCooldown(false)));
    }

    @Override
    public void terminate(String instanceId) {
        writes.incrementAndGet();
        try {
            api.failures().call("autoscaling:TerminateInstanceInAutoScalingGroup", subject + " instance " + instanceId,
                    () -> api.autoScaling().terminateInstanceInAutoScalingGroup(b -> b.instanceId(instanceId)
                            .shouldDecrementDesiredCapacity(true)));
        } catch (AwsRequestRejectedException e) {
            // A retry after a lost reply, or an instance AWS already replaced: gone is what we wanted.
            if ("ValidationError".equals(e.errorCode()) && e.getMessage().toLowerCase(Locale.ROOT).contains("not found")) {
                LOG.info("Instance %s is no longer in %s; nothing to terminate".formatted(instanceId, groupName));
                return;
            }
            throw e;
        }
    }

    @Override
    public Optional<String> instanceIdOf(SwarmNode node) {
        if (!addressesKnown) {
            // First look after a start: the addresses come with the group's instances.
            readFully();
        }
        Optional<String> found = knownInstanceOf(node);
        if (found.isEmpty() && node.role() == role
                && clock.instant().isAfter(addressesReadAt.plus(MISS_REFRESH))) {
            readFully();
            found = knownInstanceOf(node);
        }
        return found;
    }

    private Optional<String> knownInstanceOf(SwarmNode node) {
        return index.instanceOf(node);
    }

    /**
     * Private IP equals the address the node advertises; private DNS name, or its first label, equals its hostname
     * (Docker for AWS), ignoring case.
     */
    private record AddressIndex(Map<String, String> byIp, Map<String, String> byHostname) {
        static AddressIndex of(Map<String, Addresses> addresses) {
            Map<String, String> byIp = new HashMap<>();
            Map<String, String> byHostname = new HashMap<>();
            addresses.forEach((id, a) -> {
                if (!a.privateIp().isEmpty()) {
                    byIp.put(a.privateIp(), id);
                }
                String dns = a.privateDnsName().toLowerCase(Locale.ROOT);
                if (!dns.isEmpty()) {
                    byHostname.putIfAbsent(dns, id);
                    byHostname.putIfAbsent(dns.split("\\.")[0], id);
                }
            });
            return new AddressIndex(byIp, byHostname);
        }

        Optional<String> instanceOf(SwarmNode node) {
            String byAddress = node.address() == null ? null : byIp.get(node.address());
            if (byAddress != null) {
                return Optional.of(byAddress);
            }
            // A node that is still joining may not have told Swarm its hostname yet.
            String hostname = node.hostname() == null ? "" : node.hostname().toLowerCase(Locale.ROOT);
            return hostname.isEmpty() ? Optional.empty() : Optional.ofNullable(byHostname.get(hostname));
        }
    }

    static Instance.Lifecycle lifecycle(String state) {
        if (state == null) {
            return Instance.Lifecycle.PENDING;
        }
        if (state.startsWith("Pending") || state.equals("Quarantined")) {
            return Instance.Lifecycle.PENDING;
        }
        if (state.equals("InService")) {
            return Instance.Lifecycle.IN_SERVICE;
        }
        // Terminating*, Terminated, Detaching, Detached, EnteringStandby, Standby: leaving, not capacity.
        return Instance.Lifecycle.TERMINATING;
    }

    /** @param withInstances false leaves the instances out of AWS's answer, the bulk of it in a large group */
    private AutoScalingGroup describeGroup(boolean withInstances) {
        return api.failures().call("autoscaling:DescribeAutoScalingGroups", subject,
                        () -> api.autoScaling().describeAutoScalingGroups(b -> b.autoScalingGroupNames(groupName)
                                .includeInstances(withInstances)))
                .autoScalingGroups().stream()
                .filter(g -> groupName.equals(g.autoScalingGroupName()))
                .findFirst()
                .orElseThrow(() -> new AwsConfigurationException(noSuchGroup));
    }

    /** Learns the addresses of instances seen for the first time, and forgets those that left the group. */
    private void rememberAddresses(Set<String> ids) {
        boolean forgot = addresses.keySet().retainAll(ids);
        List<String> unknown = ids.stream().filter(id -> !addresses.containsKey(id)).sorted().toList();
        // Indexed again only when an instance came or went: most passes see the same instances.
        if (forgot || !unknown.isEmpty()) {
            try {
                learnAddresses(unknown);
            } finally {
                index = AddressIndex.of(addresses);
            }
        }
        addressesKnown = true;
        addressesReadAt = clock.instant();
    }

    private void learnAddresses(List<String> unknown) {
        List<String> left = unknown;
        if (unknown.size() > IDS_PER_CALL) {
            Set<String> asked = Set.copyOf(unknown);
            Set<String> found = describeInstances(b -> b.filters(Filter.builder().name(GROUP_TAG).values(groupName)
                    .build()).maxResults(INSTANCES_PER_PAGE), asked::contains);
            // Only what the tag did not return (an instance whose tag AWS has not written yet) is asked for by id;
            // one it returned without an address yet is asked again on a later read, as by id.
            left = unknown.stream().filter(id -> !found.contains(id)).toList();
        }
        for (int from = 0; from < left.size(); from += IDS_PER_CALL) {
            List<String> chunk = left.subList(from, Math.min(left.size(), from + IDS_PER_CALL));
            // A filter, not InstanceIds: an id that just vanished must not fail the whole call.
            describeInstances(b -> b.filters(Filter.builder().name("instance-id").values(chunk).build()), id -> true);
        }
    }

    /**
     * Remembers the addresses of the instances {@code request} finds that {@code wanted} accepts, and returns the
     * ids of those, with or without an address.
     */
    private Set<String> describeInstances(Consumer<DescribeInstancesRequest.Builder> request,
            Predicate<String> wanted) {
        Set<String> found = new HashSet<>();
        api.failures().call("ec2:DescribeInstances", subject, () -> {
            api.ec2().describeInstancesPaginator(request).reservations().stream()
                    .flatMap(r -> r.instances().stream())
                    .filter(i -> wanted.test(i.instanceId()))
                    .forEach(i -> {
                        found.add(i.instanceId());
                        // An instance gets its private IP as it launches; until then, ask again next time.
                        if (i.privateIpAddress() != null && !i.privateIpAddress().isEmpty()) {
                            addresses.put(i.instanceId(), new Addresses(i.privateIpAddress(),
                                    i.privateDnsName() == null ? "" : i.privateDnsName()));
                        }
                    });
            return null;
        });
        return found;
    }

    /**
     * AWS's account of the latest launch, if it failed. Only a failure after our last scale-up counts (older
     * ones stay in the activity list for weeks); after a restart, the latest launch counts.
     */
    private Optional<String> latestLaunchFailure() {
        List<Activity> activities = api.failures().call("autoscaling:DescribeScalingActivities", subject,
                () -> api.autoScaling().describeScalingActivities(b -> b.autoScalingGroupName(groupName)
                        .maxRecords(ACTIVITIES_READ))).activities();
        List<Activity> launches = new ArrayList<>(activities.stream()
                .filter(a -> a.description() != null && a.description().toLowerCase(Locale.ROOT).startsWith("launching"))
                .filter(a -> a.startTime() != null)
                .toList());
        launches.sort(Comparator.comparing(Activity::startTime).reversed());
        if (launches.isEmpty()) {
            return Optional.empty();
        }
        Activity latest = launches.get(0);
        Instant since = lastScaleUp;
        if (since != null && latest.startTime().isBefore(since.minus(CLOCK_SLACK))) {
            return Optional.empty();
        }
        String status = latest.statusCodeAsString();
        if (!"Failed".equals(status) && !"Cancelled".equals(status)) {
            return Optional.empty();
        }
        String why = latest.statusMessage() != null && !latest.statusMessage().isBlank() ? latest.statusMessage()
                : latest.description();
        why = why.length() > MESSAGE_LIMIT ? why.substring(0, MESSAGE_LIMIT) + "..." : why;
        return Optional.of("scaling activity %s %s: %s".formatted(latest.activityId(), status, why.strip()));
    }
}
