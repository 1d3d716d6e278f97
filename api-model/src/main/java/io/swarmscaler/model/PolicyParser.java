package io.swarmscaler.model;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads node-scaling policies from service labels in the seed's vocabulary ({@code com.df.alertIf.N} and
 * friends, see README "Policies in labels").
 *
 * <p>A policy is ours when its {@code alertIf} uses a {@code @node_} shortcut or its {@code alertLabels}
 * say {@code type=node}; other {@code alertIf} labels belong to docker-flow-monitor's service alerts and are
 * left alone. Every label of ours that cannot be understood becomes a {@link PolicyError}; the policy it
 * belongs to is skipped and the others still work.
 */
public final class PolicyParser {
    public static final String PREFIX = "com.df.";
    /** Our label naming the node group explicitly, per policy ({@code .N}) or for the whole service. */
    public static final String NODE_GROUP_LABEL = "com.df.scaler.nodeGroup";

    private static final Pattern ALERT_IF = Pattern.compile("com\\.df\\.alertIf(?:\\.([A-Za-z0-9_-]+))?");
    private static final Pattern SHORTCUT = Pattern.compile("@([A-Za-z0-9_]+)(?::(.*))?");
    private static final Pattern ROLE_CONSTRAINT =
            Pattern.compile("\\s*node\\.role\\s*(==|!=)\\s*(\\w+)\\s*");
    private static final Pattern COMPARISON = Pattern.compile("(>=|<=|==|!=|>|<)");
    private static final Pattern SET_OPERATOR = Pattern.compile("\\b(and|or|unless)\\b");

    /**
     * @param defaultBounds bounds used where a service sets no {@code com.df.scale*Node*} label
     * @param legacyMetricNames expand shortcuts with node-exporter's names before 0.16 (no {@code _bytes})
     */
    public record Settings(Map<NodeRole, GroupBounds> defaultBounds, boolean legacyMetricNames) {
        public Settings {
            defaultBounds = Map.copyOf(defaultBounds);
        }

        public static Settings defaults() {
            return new Settings(
                    Map.of(NodeRole.WORKER, GroupBounds.defaultsFor(NodeRole.WORKER),
                            NodeRole.MANAGER, GroupBounds.defaultsFor(NodeRole.MANAGER)),
                    false);
        }
    }

    private final Settings settings;

    public PolicyParser(Settings settings) {
        this.settings = settings;
    }

    public PolicySet parse(List<ServiceInfo> services) {
        List<Policy> policies = new ArrayList<>();
        List<PolicyError> errors = new ArrayList<>();
        for (ServiceInfo service : services) {
            new ServiceLabels(service, errors).readInto(policies);
        }
        policies.sort((a, b) -> a.id().compareTo(b.id()));
        return new PolicySet(policies, errors);
    }

    /**
     * The node-group bounds the {@code com.df.scale*Node*} labels of {@code service} give for {@code role} (the
     * defaults where it sets none), or the errors in them.
     */
    public Bounds bounds(ServiceInfo service, NodeRole role) {
        List<PolicyError> errors = new ArrayList<>();
        Optional<GroupBounds> bounds = new ServiceLabels(service, errors).bounds(role);
        return new Bounds(bounds, errors);
    }

    public GroupBounds defaultBounds(NodeRole role) {
        return settings.defaultBounds().get(role);
    }

    /** Bounds read from labels: present when {@code errors} is empty. */
    public record Bounds(Optional<GroupBounds> bounds, List<PolicyError> errors) {
        public Bounds {
            errors = List.copyOf(errors);
        }
    }

    /** The labels of one service; collects errors as it reads. */
    private final class ServiceLabels {
        private final ServiceInfo service;
        private final List<PolicyError> errors;

        ServiceLabels(ServiceInfo service, List<PolicyError> errors) {
            this.service = service;
            this.errors = errors;
        }

        void readInto(List<Policy> policies) {
            TreeSet<String> indices = new TreeSet<>();
            for (String key : service.labels().keySet()) {
                Matcher m = ALERT_IF.matcher(key);
                if (m.matches()) {
                    indices.add(m.group(1) == null ? "" : m.group(1));
                }
            }
            for (String index : indices) {
                readPolicy(index).ifPresent(policies::add);
            }
        }

        private Optional<Policy> readPolicy(String index) {
            String alertIfLabel = numbered("alertIf", index);
            String alertIf = service.labels().get(alertIfLabel).trim();
            int errorsBefore = errors.size();

            AlertLabels parsedLabels = alertLabels(index);
            Map<String, String> alertLabels = parsedLabels.pairs();
            Optional<Shortcut> shortcut = Optional.empty();
            Matcher sm = SHORTCUT.matcher(alertIf);
            boolean isNodePolicy = "node".equals(alertLabels.get("type"));
            if (sm.matches()) {
                isNodePolicy |= sm.group(1).startsWith("node_");
                if (!isNodePolicy) {
                    return Optional.empty(); // a docker-flow-monitor service alert, not ours
                }
                shortcut = shortcut(alertIfLabel, alertIf, sm.group(1), sm.group(2));
            } else if (!isNodePolicy) {
                return Optional.empty();
            } else if (alertIf.isEmpty()) {
                error(alertIfLabel, alertIf, "a @node_mem_limit_total_above:V style shortcut or a PromQL expression");
            }
            // Only now that the policy is known to be ours: a service alert's labels are not ours to judge.
            if (parsedLabels.malformed()) {
                error(numbered("alertLabels", index), service.labels().get(numbered("alertLabels", index)),
                        "comma-separated key=value pairs, e.g. scale=up,type=node");
                alertLabels = Map.of();
            }
            if (alertLabels.containsKey("type") && !"node".equals(alertLabels.get("type"))) {
                error(numbered("alertLabels", index), service.labels().get(numbered("alertLabels", index)),
                        "type=node (service replica scaling is configured with com.df.scaleMin/Max, not here)");
            }

            String forLabel = numbered("alertFor", index);
            Duration holdFor = Duration.ZERO;
            if (service.labels().containsKey(forLabel)) {
                String value = service.labels().get(forLabel);
                Optional<Duration> parsed = Durations.parse(value);
                if (parsed.isEmpty()) {
                    error(forLabel, value, Durations.EXPECTED);
                } else {
                    holdFor = parsed.get();
                }
            }

            ScaleDirection direction = direction(index, alertLabels, shortcut);
            Optional<NodeRole> role = role(index);
            Optional<GroupBounds> bounds = role.flatMap(this::bounds);
            if (errors.size() > errorsBefore || role.isEmpty() || bounds.isEmpty()) {
                return Optional.empty();
            }
            Condition condition = shortcut.map(Shortcut::condition).orElseGet(() -> rawCondition(alertIf));
            String alertName = service.labels().getOrDefault(numbered("alertName", index),
                    shortcut.map(Shortcut::name).orElse("alert" + index));
            String summary = shortcut.map(Shortcut::summary)
                    .orElse("Alert %s on %s is firing".formatted(alertName, service.name()));
            Policy.Kind kind = shortcut.map(Shortcut::kind).orElse(Policy.Kind.PROMQL);
            return Optional.of(new Policy(new PolicyId(service.name(), index), alertName, alertIf, condition, kind,
                    holdFor, direction, role.get(), bounds.get(), alertLabels, summary));
        }

        /** The well-formed pairs, and whether any pair was not {@code key=value}; reported by the caller. */
        private AlertLabels alertLabels(String index) {
            String value = service.labels().get(numbered("alertLabels", index));
            Map<String, String> parsed = new LinkedHashMap<>();
            boolean malformed = false;
            if (value == null || value.isBlank()) {
                return new AlertLabels(parsed, false);
            }
            for (String pair : value.split(",")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    malformed = true;
                } else {
                    parsed.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
                }
            }
            return new AlertLabels(parsed, malformed);
        }

        private ScaleDirection direction(String index, Map<String, String> alertLabels, Optional<Shortcut> shortcut) {
            String scale = alertLabels.get("scale");
            if (scale == null) {
                return shortcut.map(Shortcut::direction).orElse(ScaleDirection.NOTIFY_ONLY);
            }
            return switch (scale.toLowerCase(Locale.ROOT)) {
                case "up" -> ScaleDirection.UP;
                case "down" -> ScaleDirection.DOWN;
                case "no" -> ScaleDirection.NOTIFY_ONLY;
                default -> {
                    error(numbered("alertLabels", index), service.labels().get(numbered("alertLabels", index)),
                            "scale=up, scale=down or scale=no");
                    yield ScaleDirection.NOTIFY_ONLY;
                }
            };
        }

        /** Our explicit label first (per policy, then per service), else the service's placement constraint. */
        private Optional<NodeRole> role(String index) {
            for (String label : List.of(numbered(NODE_GROUP_LABEL.substring(PREFIX.length()), index), NODE_GROUP_LABEL)) {
                String value = service.labels().get(label);
                if (value != null) {
                    Optional<NodeRole> role = NodeRole.fromWord(value);
                    if (role.isEmpty()) {
                        error(label, value, "worker or manager");
                    }
                    return role;
                }
            }
            for (String constraint : service.constraints()) {
                Matcher m = ROLE_CONSTRAINT.matcher(constraint);
                if (m.matches()) {
                    Optional<NodeRole> named = NodeRole.fromWord(m.group(2));
                    if (named.isPresent()) {
                        boolean equals = m.group(1).equals("==");
                        NodeRole other = named.get() == NodeRole.WORKER ? NodeRole.MANAGER : NodeRole.WORKER;
                        return Optional.of(equals ? named.get() : other);
                    }
                }
            }
            error(NODE_GROUP_LABEL, "", "worker or manager, or a placement constraint node.role==worker"
                    + " (or manager) on the service, to tell which node group the policy scales");
            return Optional.empty();
        }

        private Optional<GroupBounds> bounds(NodeRole role) {
            GroupBounds defaults = settings.defaultBounds().get(role);
            String base = PREFIX + "scale" + role.labelInfix() + "Node";
            int errorsBefore = errors.size();
            int min = intLabel(base + "Min", defaults.min(), 0);
            int max = intLabel(base + "Max", defaults.max(), 0);
            int upBy = intLabel(base + "UpBy", defaults.upBy(), 1);
            int downBy = intLabel(base + "DownBy", defaults.downBy(), 1);
            if (errors.size() > errorsBefore) {
                return Optional.empty();
            }
            if (min > max) {
                // Blame the label the service set: only Max when Min is the default.
                String minLabel = base + "Min";
                String maxLabel = base + "Max";
                if (service.labels().containsKey(minLabel)) {
                    error(minLabel, service.labels().get(minLabel), "a number no greater than the maximum (%s=%d%s)"
                            .formatted(maxLabel, max, service.labels().containsKey(maxLabel) ? "" : ", the default"));
                } else {
                    error(maxLabel, service.labels().get(maxLabel),
                            "a number no less than the minimum (%s=%d, the default)".formatted(minLabel, min));
                }
                return Optional.empty();
            }
            return Optional.of(new GroupBounds(min, max, upBy, downBy));
        }

        private int intLabel(String label, int fallback, int lowest) {
            String value = service.labels().get(label);
            if (value == null) {
                return fallback;
            }
            try {
                int parsed = Integer.parseInt(value.trim());
                if (parsed >= lowest) {
                    return parsed;
                }
            } catch (NumberFormatException notANumber) {
                // reported below
            }
            error(label, value, "a whole number of nodes, at least " + lowest);
            return fallback;
        }

        private Optional<Shortcut> shortcut(String label, String value, String name, String argument) {
            Optional<MemoryShortcut> kind = MemoryShortcut.named(name);
            if (kind.isEmpty()) {
                error(label, value, "one of the shortcuts " + MemoryShortcut.names() + " or a PromQL expression");
                return Optional.empty();
            }
            double ratio;
            try {
                ratio = Double.parseDouble(argument == null ? "" : argument.trim());
            } catch (NumberFormatException notANumber) {
                ratio = Double.NaN;
            }
            if (!(ratio >= 0 && ratio <= 1)) {
                error(label, value, "a memory ratio between 0 and 1 after the colon, e.g. @%s:0.8".formatted(name));
                return Optional.empty();
            }
            return Optional.of(kind.get().expand(service.name(), ratio, settings.legacyMetricNames()));
        }

        private String numbered(String name, String index) {
            return PREFIX + name + (index.isEmpty() ? "" : "." + index);
        }

        private void error(String label, String value, String expected) {
            errors.add(new PolicyError(service.name(), label, value == null ? "" : value, expected));
        }
    }

    private record AlertLabels(Map<String, String> pairs, boolean malformed) {}

    /** A shortcut expanded for one exporter service. */
    private record Shortcut(String name, Condition condition, Policy.Kind kind, ScaleDirection direction,
            String summary) {}

    private enum MemoryShortcut {
        NODE_MEM_LIMIT_TOTAL_ABOVE("node_mem_limit_total_above", false, Comparison.GREATER, ScaleDirection.UP,
                "Total memory of the nodes is over %s"),
        NODE_MEM_LIMIT_TOTAL_BELOW("node_mem_limit_total_below", false, Comparison.LESS, ScaleDirection.DOWN,
                "Total memory of the nodes is below %s"),
        NODE_MEM_LIMIT("node_mem_limit", true, Comparison.GREATER, ScaleDirection.UP,
                "Memory of a node is over %s");

        private final String shortcutName;
        private final boolean perInstance;
        private final Comparison comparison;
        private final ScaleDirection direction;
        private final String summary;

        MemoryShortcut(String shortcutName, boolean perInstance, Comparison comparison, ScaleDirection direction,
                String summary) {
            this.shortcutName = shortcutName;
            this.perInstance = perInstance;
            this.comparison = comparison;
            this.direction = direction;
            this.summary = summary;
        }

        static Optional<MemoryShortcut> named(String name) {
            for (MemoryShortcut s : values()) {
                if (s.shortcutName.equals(name)) {
                    return Optional.of(s);
                }
            }
            return Optional.empty();
        }

        static String names() {
            List<String> names = new ArrayList<>();
            for (MemoryShortcut s : values()) {
                names.add("@" + s.shortcutName + ":V");
            }
            return String.join(", ", names);
        }

        Shortcut expand(String job, double ratio, boolean legacyNames) {
            String suffix = legacyNames ? "" : "_bytes";
            String sum = perInstance ? "sum by (instance) " : "sum";
            String selector = "{job=\"" + job + "\"}";
            String total = "node_memory_MemTotal" + suffix + selector;
            String unused = "node_memory_MemFree" + suffix + selector + " + node_memory_Buffers" + suffix + selector
                    + " + node_memory_Cached" + suffix + selector;
            String query = "(%s(%s) - %s(%s)) / %s(%s)".formatted(sum, total, sum, unused, sum, total);
            String shown = stripZeros(ratio);
            return new Shortcut(shortcutName, new Condition.Threshold(query, comparison, ratio),
                    perInstance ? Policy.Kind.NODE_MEMORY : Policy.Kind.GROUP_MEMORY, direction,
                    summary.formatted(shown));
        }
    }

    /** Splits {@code EXPR > 0.8} so the value can be read and compared here; otherwise any sample fires. */
    static Condition rawCondition(String expression) {
        int depth = 0;
        char quote = 0;
        int split = -1;
        for (int i = 0; i < expression.length(); i++) {
            char c = expression.charAt(i);
            if (quote != 0) {
                if (c == '\\') i++;
                else if (c == quote) quote = 0;
            } else if (c == '"' || c == '\'' || c == '`') {
                quote = c;
            } else if (c == '(' || c == '{' || c == '[') {
                depth++;
            } else if (c == ')' || c == '}' || c == ']') {
                depth--;
            } else if (depth == 0 && COMPARISON.matcher(expression.substring(i, Math.min(i + 2, expression.length())))
                    .lookingAt()) {
                split = i;
                if (i + 1 < expression.length() && expression.charAt(i + 1) == '=') i++;
            }
        }
        if (split > 0) {
            String left = expression.substring(0, split).trim();
            Matcher op = COMPARISON.matcher(expression.substring(split));
            op.lookingAt();
            String right = expression.substring(split + op.end()).trim();
            if (!SET_OPERATOR.matcher(left).find() && !right.startsWith("bool")) {
                try {
                    double threshold = Double.parseDouble(right);
                    return new Condition.Threshold(left, Comparison.fromSymbol(op.group(1)).orElseThrow(), threshold);
                } catch (NumberFormatException notANumber) {
                    // compared against another series: Prometheus evaluates it whole
                }
            }
        }
        return new Condition.AnySample(expression);
    }

    private static String stripZeros(double value) {
        String s = Double.toString(value);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }
}
