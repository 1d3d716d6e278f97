package io.swarmscaler.controller.aws;

import io.swarmscaler.model.NodeShape;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.autoscaling.model.LaunchTemplateSpecification;
import software.amazon.awssdk.services.ec2.model.InstanceTypeInfo;

/**
 * The size of a node an Auto Scaling group launches, for an empty group, which has no node to show it: EC2's
 * {@code DescribeInstanceTypes} for the instance type of the group's launch template (or mixed-instances policy)
 * or launch configuration. A type's size never changes, so it is asked once per type; the template is read on
 * each full reading of the group, as its default version may change.
 */
final class LaunchShapes {
    private static final Logger LOG = Logger.getLogger(LaunchShapes.class.getName());

    private final AwsApi api;
    private final Map<String, NodeShape> byInstanceType = new ConcurrentHashMap<>();
    /**
     * The groups told about since their last success: every pass asks again, and a log line per pass would drown
     * the log. Per group, so that one group's success does not repeat another's warning.
     */
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    LaunchShapes(AwsApi api) {
        this.api = api;
    }

    /**
     * Empty when the group names no instance type this can read, or AWS refuses to tell (a missing permission is
     * logged once): the scaler then falls back to the {@code com.df.scaler.nodeShape} label.
     */
    Optional<NodeShape> of(AutoScalingGroup group, String subject) {
        try {
            Optional<NodeShape> shape = instanceType(group, subject).map(type -> shapeOf(type, subject));
            warned.remove(subject);
            return shape;
        } catch (RuntimeException e) {
            if (warned.add(subject)) {
                LOG.warning("Cannot tell the size of a new node of %s, which has none (pending tasks fall back to"
                        .formatted(subject) + " the com.df.scaler.nodeShape label): " + e.getMessage());
            }
            return Optional.empty();
        }
    }

    private Optional<String> instanceType(AutoScalingGroup group, String subject) {
        LaunchTemplateSpecification template = group.launchTemplate();
        if (template == null && group.mixedInstancesPolicy() != null
                && group.mixedInstancesPolicy().launchTemplate() != null) {
            // The first override is the type AWS prefers; without overrides the template's type is launched.
            var mixed = group.mixedInstancesPolicy().launchTemplate();
            Optional<String> preferred = mixed.overrides().stream().map(o -> o.instanceType())
                    .filter(t -> t != null && !t.isBlank()).findFirst();
            if (preferred.isPresent()) {
                return preferred;
            }
            template = mixed.launchTemplateSpecification();
        }
        if (template != null) {
            return templateInstanceType(template, subject);
        }
        String configuration = group.launchConfigurationName();
        if (configuration == null || configuration.isBlank()) {
            return Optional.empty();
        }
        return api.failures().call("autoscaling:DescribeLaunchConfigurations", subject, () -> api.autoScaling()
                .describeLaunchConfigurations(b -> b.launchConfigurationNames(configuration)))
                .launchConfigurations().stream().map(c -> c.instanceType()).filter(t -> t != null && !t.isBlank())
                .findFirst();
    }

    private Optional<String> templateInstanceType(LaunchTemplateSpecification template, String subject) {
        // The group's own version: $Default when it names none.
        String version = template.version() == null || template.version().isBlank() ? "$Default" : template.version();
        return api.failures().call("ec2:DescribeLaunchTemplateVersions", subject, () -> api.ec2()
                .describeLaunchTemplateVersions(b -> {
                    if (template.launchTemplateId() != null) {
                        b.launchTemplateId(template.launchTemplateId());
                    } else {
                        b.launchTemplateName(template.launchTemplateName());
                    }
                    b.versions(version);
                })).launchTemplateVersions().stream()
                .map(v -> v.launchTemplateData() == null ? null : v.launchTemplateData().instanceTypeAsString())
                .filter(t -> t != null && !t.isBlank()).findFirst();
    }

    private NodeShape shapeOf(String instanceType, String subject) {
        NodeShape known = byInstanceType.get(instanceType);
        if (known != null) {
            return known;
        }
        InstanceTypeInfo info = api.failures().call("ec2:DescribeInstanceTypes", subject, () -> api.ec2()
                .describeInstanceTypes(b -> b.instanceTypesWithStrings(instanceType))).instanceTypes().stream()
                .findFirst()
                .orElseThrow(() -> new AwsConfigurationException(("EC2 does not know the instance type %s that %s"
                        + " launches: expected a type of its region").formatted(instanceType, subject)));
        NodeShape shape = new NodeShape(info.vCpuInfo().defaultVCpus() * 1_000_000_000L,
                info.memoryInfo().sizeInMiB() << 20);
        byInstanceType.put(instanceType, shape);
        return shape;
    }
}
