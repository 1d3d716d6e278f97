package io.swarmscaler.model;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
    /** The largest step {@code com.df.scale*NodeUpBy/DownBy} may take, as the webhook's {@code by}. */
    public static final int MAX_STEP = 100;
    /** The longest {@code com.df.alertFor}: a condition held for longer is not a scaling signal. */
    public static final Duration MAX_HOLD_FOR = Duration.ofHours(24);

    /** The label keys of one policy, each unnumbered or with {@code .N}. */
    private static final List<String> POLICY_KEYS = List.of("alertName", "alertIf", "alertFor", "alertLabels");
    private static final String INDEX = "[A-Za-z0-9_-]+";
    private static final Pattern POLICY_KEY =
            Pattern.compile("com\\.df\\.(alertName|alertIf|alertFor|alertLabels)(?:\\.(" + INDEX + "))?");
    private static final Pattern SHORTCUT = Pattern.compile("@([A-Za-z0-9_]+)(?::(.*))?");
    /** A shortcut written without its {@code @}: never valid PromQL, so surely meant as one. */
    private static final Pattern BARE_SHORTCUT = Pattern.compile("([A-Za-z0-9_]+)\\s*:(.*)");
    /** Plain decimal digits: no sign, exponent, hex, type suffix or non-ASCII digit. */
    private static final Pattern RATIO = Pattern.compile("[0-9]*\\.?[0-9]+");
    private static final Pattern WHOLE_NUMBER = Pattern.compile("[0-9]{1,9}");
    /** A PromQL number literal we compare here; anything else (hex, Inf, a typo) goes to Prometheus whole. */
    private static final Pattern PROMQL_NUMBER =
            Pattern.compile("[-+]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?");
    /** {@code true} or {@code false} in any ASCII case, as the planner reads it. */
    private static final Pattern BOOLEAN = Pattern.compile("true|false", Pattern.CASE_INSENSITIVE);
    private static final Pattern ROLE_CONSTRAINT =
            Pattern.compile("\\s*node\\.role\\s*(==|!=)\\s*(\\w+)\\s*");
    private static final Pattern COMPARISON = Pattern.compile("(>=|<=|==|!=|>|<)");
    private static final Pattern SET_OPERATOR = Pattern.compile("\\b(and|or|unless)\\b");

    /**
     * @param defaultBounds bounds used where a service sets no {@code com.df.scale*Node*} label
     * @param legacyMetricNames expand shortcuts with node-exporter's names before 0.16 (no {@code _bytes})
     * @param rescheduleLabel the label that marks services to reschedule; its value must be true or false
     */
    public record Settings(Map<NodeRole, GroupBounds> defaultBounds, boolean legacyMetricNames,
            String rescheduleLabel) {
        public static final String DEFAULT_RESCHEDULE_LABEL = "com.df.reschedule";

        public Settings {
            defaultBounds = Map.copyOf(defaultBounds);
        }

        public Settings(Map<NodeRole, GroupBounds> defaultBounds, boolean legacyMetricNames) {
            this(defaultBounds, legacyMetricNames, DEFAULT_RESCHEDULE_LABEL);
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

    /** The label that holds the expression of policy {@code id}, to name in errors found after parsing. */
    public static String alertIfLabel(PolicyId id) {
        return PREFIX + "alertIf" + (id.index().isEmpty() ? "" : "." + id.index());
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
            checkKeys();
            checkReschedule();
            // Bounds count on every service, with or without policies, for both groups: the webhook reads them too.
            Map<NodeRole, Optional<GroupBounds>> bounds = new EnumMap<>(NodeRole.class);
            for (NodeRole role : NodeRole.values()) {
                bounds.put(role, bounds(role));
            }
            Map<String, TreeSet<String>> indicesByKey = new HashMap<>();
            for (String key : service.labels().keySet()) {
                Matcher m = POLICY_KEY.matcher(key);
                if (m.matches()) {
                    indicesByKey.computeIfAbsent(m.group(1), k -> new TreeSet<>())
                            .add(m.group(2) == null ? "" : m.group(2));
                }
            }
            TreeSet<String> policyIndices = indicesByKey.getOrDefault("alertIf", new TreeSet<>());
            for (String name : POLICY_KEYS) {
                for (String index : indicesByKey.getOrDefault(name, new TreeSet<>())) {
                    if (!policyIndices.contains(index)) {
                        String label = numbered(name, index);
                        error(label, service.labels().get(label), ("a %s beside it: %s belongs to the policy"
                                + " defined by %s, and this service has none (its policies: %s)").formatted(
                                        numbered("alertIf", index), label, numbered("alertIf", index),
                                        policyIndices.isEmpty() ? "none" : String.join(", ", policyIndices.stream()
                                                .map(i -> numbered("alertIf", i)).toList())));
                    }
                }
            }
            for (String index : policyIndices) {
                readPolicy(index, bounds).ifPresent(policies::add);
            }
        }

        /**
         * Keys under {@code com.df.} that look like ours but are not (another case, extra segments) would be
         * ignored without a word; name the key we expected instead.
         */
        private void checkKeys() {
            for (Map.Entry<String, String> label : service.labels().entrySet()) {
                String key = label.getKey();
                if (!key.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
                    continue;
                }
                String[] segments = key.substring(PREFIX.length()).split("\\.", -1);
                Optional<String> expected = expectedKey(segments);
                if (expected.isPresent() && !expected.get().equals(key)) {
                    error(key, label.getValue(), "a label key spelt exactly %s (keys are case-sensitive%s)".formatted(
                            expected.get(), POLICY_KEYS.contains(expected.get().substring(PREFIX.length())
                                    .split("\\.")[0]) ? "; N is one policy number, e.g. .1" : ""));
                }
            }
        }

        /** The key of ours that {@code segments} (after {@code com.df.}) resemble, if any. */
        private Optional<String> expectedKey(String[] segments) {
            String head = segments[0];
            for (String name : POLICY_KEYS) {
                if (name.equalsIgnoreCase(head)) {
                    boolean indexed = segments.length > 1 && segments[1].matches(INDEX);
                    return Optional.of(PREFIX + name + (indexed ? "." + segments[1] : ""));
                }
            }
            if (head.equalsIgnoreCase("scaler") && segments.length > 1 && segments[1].equalsIgnoreCase("nodeGroup")) {
                boolean indexed = segments.length > 2 && segments[2].matches(INDEX);
                return Optional.of(NODE_GROUP_LABEL + (indexed ? "." + segments[2] : ""));
            }
            List<String> single = new ArrayList<>();
            for (NodeRole role : NodeRole.values()) {
                for (String bound : List.of("Min", "Max", "UpBy", "DownBy")) {
                    single.add(PREFIX + "scale" + role.labelInfix() + "Node" + bound);
                }
            }
            single.add(settings.rescheduleLabel());
            for (String ours : single) {
                if (ours.startsWith(PREFIX) && ours.substring(PREFIX.length()).equalsIgnoreCase(head)) {
                    return Optional.of(ours);
                }
            }
            return Optional.empty();
        }

        private void checkReschedule() {
            String value = service.labels().get(settings.rescheduleLabel());
            if (value != null && !BOOLEAN.matcher(value.trim()).matches()) {
                error(settings.rescheduleLabel(), value, "true or false");
            }
        }

        private Optional<Policy> readPolicy(String index, Map<NodeRole, Optional<GroupBounds>> boundsByRole) {
            String alertIfLabel = numbered("alertIf", index);
            String alertIf = service.labels().get(alertIfLabel).trim();
            int errorsBefore = errors.size();

            AlertLabels parsedLabels = alertLabels(index);
            Map<String, String> alertLabels = parsedLabels.pairs();
            Optional<Shortcut> shortcut = Optional.empty();
            Matcher sm = SHORTCUT.matcher(alertIf);
            Matcher bare = BARE_SHORTCUT.matcher(alertIf);
            boolean isNodePolicy = "node".equals(alertLabels.get("type"));
            if (sm.matches()) {
                isNodePolicy |= sm.group(1).toLowerCase(Locale.ROOT).startsWith("node_");
                if (!isNodePolicy) {
                    return Optional.empty(); // a docker-flow-monitor service alert, not ours
                }
                shortcut = shortcut(alertIfLabel, alertIf, sm.group(1), sm.group(2));
            } else if (bare.matches() && MemoryShortcut.named(bare.group(1).toLowerCase(Locale.ROOT)).isPresent()) {
                error(alertIfLabel, alertIf, "@%s:%s: a shortcut starts with @".formatted(
                        bare.group(1).toLowerCase(Locale.ROOT), bare.group(2).trim()));
            } else if (!isNodePolicy) {
                return Optional.empty();
            } else if (alertIf.isEmpty()) {
                error(alertIfLabel, alertIf, "a @node_mem_limit_total_above:V style shortcut or a PromQL expression");
            }
            // Only now that the policy is known to be ours: a service alert's labels are not ours to judge.
            String alertLabelsLabel = numbered("alertLabels", index);
            if (parsedLabels.malformed()) {
                error(alertLabelsLabel, service.labels().get(alertLabelsLabel),
                        "comma-separated key=value pairs, e.g. scale=up,type=node");
                alertLabels = Map.of();
            }
            if (!parsedLabels.repeated().isEmpty()) {
                error(alertLabelsLabel, service.labels().get(alertLabelsLabel),
                        "each key at most once, but %s appears more than once".formatted(
                                String.join(", ", parsedLabels.repeated())));
            }
            if (alertLabels.containsKey("type") && !"node".equals(alertLabels.get("type"))) {
                error(alertLabelsLabel, service.labels().get(alertLabelsLabel),
                        "type=node (service replica scaling is configured with com.df.scaleMin/Max, not here)");
            }

            String forLabel = numbered("alertFor", index);
            Duration holdFor = Duration.ZERO;
            if (service.labels().containsKey(forLabel)) {
                String value = service.labels().get(forLabel);
                Optional<Duration> parsed = Durations.parse(value);
                if (parsed.isEmpty() || parsed.get().compareTo(MAX_HOLD_FOR) > 0) {
                    error(forLabel, value, Durations.EXPECTED + ", at most " + Durations.format(MAX_HOLD_FOR));
                } else {
                    holdFor = parsed.get();
                }
            }

            ScaleDirection direction = direction(index, alertLabels, shortcut);
            Optional<NodeRole> role = role(index);
            // A bad bound was reported once for the service; every policy of its group is skipped.
            Optional<GroupBounds> bounds = role.flatMap(boundsByRole::get);
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

        /** The well-formed pairs, whether any pair was not {@code key=value}, and the keys given twice. */
        private AlertLabels alertLabels(String index) {
            String value = service.labels().get(numbered("alertLabels", index));
            Map<String, String> parsed = new LinkedHashMap<>();
            Set<String> repeated = new LinkedHashSet<>();
            boolean malformed = false;
            if (value == null || value.isBlank()) {
                return new AlertLabels(parsed, false, List.of());
            }
            for (String pair : value.split(",")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    malformed = true;
                } else if (parsed.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim()) != null) {
                    repeated.add(pair.substring(0, eq).trim());
                }
            }
            return new AlertLabels(parsed, malformed, List.copyOf(repeated));
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
            int min = intLabel(base + "Min", defaults.min(), 0, Integer.MAX_VALUE);
            int max = intLabel(base + "Max", defaults.max(), 0, Integer.MAX_VALUE);
            int upBy = intLabel(base + "UpBy", defaults.upBy(), 1, MAX_STEP);
            int downBy = intLabel(base + "DownBy", defaults.downBy(), 1, MAX_STEP);
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

        /** ASCII digits only: {@code Integer.parseInt} would take {@code +1}, {@code ١} and {@code １}. */
        private int intLabel(String label, int fallback, int lowest, int highest) {
            String value = service.labels().get(label);
            if (value == null) {
                return fallback;
            }
            if (WHOLE_NUMBER.matcher(value.trim()).matches()) {
                int parsed = Integer.parseInt(value.trim());
                if (parsed >= lowest && parsed <= highest) {
                    return parsed;
                }
            }
            error(label, value, highest == Integer.MAX_VALUE
                    ? "a whole number of nodes in ASCII digits, at least " + lowest
                    : "a whole number of nodes in ASCII digits, from %d to %d (as the webhook's by)"
                            .formatted(lowest, highest));
            return fallback;
        }

        private Optional<Shortcut> shortcut(String label, String value, String name, String argument) {
            Optional<MemoryShortcut> kind = MemoryShortcut.named(name);
            String lowerCase = name.toLowerCase(Locale.ROOT);
            if (kind.isEmpty() && MemoryShortcut.named(lowerCase).isPresent()) {
                error(label, value, "@%s%s: shortcut names are lower case".formatted(lowerCase,
                        argument == null ? ":V" : ":" + argument.trim()));
                return Optional.empty();
            }
            if (kind.isEmpty()) {
                error(label, value, "one of the shortcuts " + MemoryShortcut.names() + " or a PromQL expression");
                return Optional.empty();
            }
            String ratioText = argument == null ? "" : argument.trim();
            double ratio = RATIO.matcher(ratioText).matches() ? Double.parseDouble(ratioText) : Double.NaN;
            if (!(ratio >= 0 && ratio <= 1)) {
                error(label, value, ("a memory ratio between 0 and 1 after the colon, in plain decimal ASCII digits"
                        + " (no sign, exponent, hex or type suffix), e.g. @%s:0.8").formatted(name));
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

    private record AlertLabels(Map<String, String> pairs, boolean malformed, List<String> repeated) {}

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
                // Anything but a plain number (another series, hex, a typo) is left to Prometheus whole, which
                // answers a typo with a parse error rather than this comparing a number PromQL would not read.
                if (PROMQL_NUMBER.matcher(right).matches()) {
                    return new Condition.Threshold(left, Comparison.fromSymbol(op.group(1)).orElseThrow(),
                            Double.parseDouble(right));
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
