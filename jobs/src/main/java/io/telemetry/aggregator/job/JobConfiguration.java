package io.telemetry.aggregator.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.telemetry.aggregator.operators.WindowOptions;
import io.telemetry.aggregator.sinks.Redaction;
import io.telemetry.aggregator.sinks.influxdb.InfluxDbSinkOptions;
import io.telemetry.aggregator.sinks.kafka.KafkaSinkOptions;
import io.telemetry.aggregator.sinks.postgres.PostgresSinkOptions;
import io.telemetry.aggregator.udp.UdpSourceOptions;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;

/**
 * Reads the job's configuration: the YAML file named by {@code --config}, then environment
 * variables, then {@code --key value} arguments, each overriding the one before; and checks it
 * once, so that a bad setting stops the job at start with one line naming the setting, its value
 * and what is allowed.
 *
 * <p>Environment variables: the seed deployments' {@code AGGREGATOR_PORT}, {@code
 * AGGREGATION_INTERVAL} (seconds) and {@code STORAGE_TYPE}, and {@code TELEMETRY_<KEY>} for every
 * setting ({@code window.size} is {@code TELEMETRY_WINDOW_SIZE}). Flink's own settings ({@code
 * parallelism.default}, {@code rest.port}, checkpointing, ...) pass through unchanged. Every such
 * variable can instead name a file with {@code <NAME>_FILE} (a mounted Kubernetes Secret), and the
 * Kafka client's credential properties ({@link #KAFKA_SECRET_PROPERTIES}) are variables too.
 */
public final class JobConfiguration {

    /** Prefixes of the job's own settings; an unknown key under one of them is a typo. */
    private static final List<String> OWN_PREFIXES =
            List.of("source.", "parse.", "window.", "sink.");

    /** The seed deployments' variables that map one to one onto a setting. */
    private static final Map<String, String> SEED_VARIABLES =
            Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", KafkaSinkOptions.BOOTSTRAP_SERVERS.key(),
                    "KAFKA_TOPIC", KafkaSinkOptions.TOPIC.key(),
                    "POSTGRES_CONNECTION_STRING", PostgresSinkOptions.CONNECTION.key(),
                    "INFLUXDB_URL", InfluxDbSinkOptions.URL.key(),
                    "INFLUXDB_TOKEN", InfluxDbSinkOptions.TOKEN.key(),
                    "INFLUXDB_ORG", InfluxDbSinkOptions.ORG.key(),
                    "INFLUXDB_BUCKET", InfluxDbSinkOptions.BUCKET.key());

    /**
     * Kafka client properties that carry credentials, settable from the environment (or a file) as
     * {@code TELEMETRY_SINK_KAFKA_PROPERTIES_<PROPERTY>} like the job's own settings.
     */
    static final List<String> KAFKA_SECRET_PROPERTIES =
            List.of(
                    "sasl.jaas.config",
                    "ssl.keystore.password",
                    "ssl.key.password",
                    "ssl.truststore.password");

    private JobConfiguration() {}

    /** The result of reading the command line: either help was asked for, or a configuration. */
    public static final class Loaded {
        public final Configuration config;
        public final boolean helpRequested;

        Loaded(Configuration config, boolean helpRequested) {
            this.config = config;
            this.helpRequested = helpRequested;
        }
    }

    public static Loaded load(String[] args, Map<String, String> environment) {
        Map<String, String> cli = new LinkedHashMap<>();
        String configFile = null;
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
                continue;
            }
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new InvalidSettingException(
                        "Unexpected argument '"
                                + arg
                                + "': use --key value, --config file.yaml or --help");
            }
            String key = arg.substring(2);
            String value;
            int eq = key.indexOf('=');
            if (eq > 0) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new InvalidSettingException("--" + key + " needs a value");
            }
            if (key.equals("config")) {
                configFile = value;
            } else {
                cli.put(key, value);
            }
        }

        Map<String, String> raw = new LinkedHashMap<>();
        if (configFile != null) {
            raw.putAll(readYaml(configFile));
        }
        raw.putAll(fromEnvironment(environment));
        raw.putAll(cli);

        Configuration config = new Configuration();
        for (Map.Entry<String, String> e : raw.entrySet()) {
            config.setString(e.getKey(), e.getValue());
        }
        if (!help) {
            validate(config, raw);
        }
        return new Loaded(config, help);
    }

    static Map<String, String> fromEnvironment(Map<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>();
        String port = env.get("AGGREGATOR_PORT");
        if (port != null) {
            out.put(UdpSourceOptions.PORT.key(), port.trim());
        }
        String interval = env.get("AGGREGATION_INTERVAL");
        if (interval != null) {
            long seconds;
            try {
                seconds = Long.parseLong(interval.trim());
            } catch (NumberFormatException e) {
                seconds = -1;
            }
            if (seconds <= 0) {
                throw new InvalidSettingException(
                        "AGGREGATION_INTERVAL="
                                + interval
                                + " is not allowed: use a whole number of seconds above 0, e.g. 60");
            }
            out.put(WindowOptions.WINDOW_SIZE.key(), seconds + "s");
        }
        String storage = env.get("STORAGE_TYPE");
        if (storage != null) {
            out.put(JobOptions.SINKS.key(), storage.trim().replace(',', ';'));
        }
        for (Map.Entry<String, String> seed : SEED_VARIABLES.entrySet()) {
            String value = variable(env, seed.getKey());
            if (value != null) {
                out.put(seed.getValue(), value.trim());
            }
        }
        for (ConfigOption<?> option : JobOptions.ALL) {
            String value = variable(env, environmentName(option.key()));
            if (value != null) {
                out.put(option.key(), value);
            }
        }
        for (String property : KAFKA_SECRET_PROPERTIES) {
            String key = KafkaSinkOptions.PROPERTIES_PREFIX + property;
            String value = variable(env, environmentName(key));
            if (value != null) {
                out.put(key, value);
            }
        }
        return out;
    }

    /**
     * An environment variable's value, or the content of the file named by {@code <NAME>_FILE}
     * (where Kubernetes mounts a Secret), without its trailing line break.
     */
    private static String variable(Map<String, String> env, String name) {
        String value = env.get(name);
        String file = env.get(name + "_FILE");
        if (file == null) {
            return value;
        }
        if (value != null) {
            throw new InvalidSettingException(
                    name + " and " + name + "_FILE are both set: use one of them");
        }
        try {
            String content = Files.readString(Path.of(file), StandardCharsets.UTF_8);
            return content.endsWith("\r\n")
                    ? content.substring(0, content.length() - 2)
                    : content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
        } catch (IOException | RuntimeException e) {
            throw new InvalidSettingException(
                    name
                            + "_FILE="
                            + file
                            + " is not allowed: cannot read the file ("
                            + e.getClass().getSimpleName()
                            + ")",
                    e);
        }
    }

    /** {@code window.size} is {@code TELEMETRY_WINDOW_SIZE}. */
    public static String environmentName(String key) {
        return "TELEMETRY_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static Map<String, String> readYaml(String path) {
        File file = new File(path);
        if (!file.isFile()) {
            throw new InvalidSettingException("--config " + path + " is not allowed: no such file");
        }
        Object tree;
        try {
            tree = new ObjectMapper(new YAMLFactory()).readValue(file, Object.class);
        } catch (IOException e) {
            throw new InvalidSettingException(
                    "--config " + path + " is not valid YAML: " + e.getMessage().split("\n")[0], e);
        }
        Map<String, String> flat = new LinkedHashMap<>();
        if (tree == null) {
            return flat;
        }
        if (!(tree instanceof Map)) {
            throw new InvalidSettingException(
                    "--config "
                            + path
                            + " must hold a YAML mapping of settings, e.g. 'window.size: 10s'");
        }
        flatten("", (Map<?, ?>) tree, flat);
        return flat;
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<String, String> out) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = prefix + e.getKey();
            Object value = e.getValue();
            if (value instanceof Map) {
                flatten(key + ".", (Map<?, ?>) value, out);
            } else if (value instanceof List) {
                out.put(
                        key,
                        ((List<?>) value)
                                .stream().map(String::valueOf).collect(Collectors.joining(";")));
            } else if (value != null) {
                out.put(key, String.valueOf(value));
            }
        }
    }

    /**
     * Checks that every key of the job's own prefixes is a setting and that each setting has its
     * type. The source, parse, window and sink settings are checked when the job builds them from
     * its effective configuration ({@link JobParts}): the cluster's checkpoint interval is known
     * only then.
     */
    private static void validate(Configuration config, Map<String, String> raw) {
        for (String key : raw.keySet()) {
            boolean own =
                    OWN_PREFIXES.stream().anyMatch(key::startsWith)
                            && !key.startsWith(KafkaSinkOptions.PROPERTIES_PREFIX);
            boolean known = JobOptions.ALL.stream().anyMatch(o -> o.key().equals(key));
            if (own && !known) {
                throw new InvalidSettingException(
                        "Unknown setting '"
                                + key
                                + "'; the job's settings are: "
                                + JobOptions.ALL.stream()
                                        .map(ConfigOption::key)
                                        .collect(Collectors.joining(", ")));
            }
        }
        for (ConfigOption<?> option : JobOptions.ALL) {
            try {
                config.get(option);
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException(
                        option.key()
                                + "="
                                + Redaction.setting(option.key(), raw.get(option.key()))
                                + " is not allowed: "
                                + expectation(option),
                        e);
            }
        }
    }

    private static String expectation(ConfigOption<?> option) {
        Object def = option.defaultValue();
        if (def instanceof Duration) {
            return "use a duration such as 500ms, 10s, 1min or 1h";
        }
        if (def instanceof Boolean) {
            return "use true or false";
        }
        if (option == KafkaSinkOptions.DELIVERY_GUARANTEE) {
            return "use exactly-once or at-least-once";
        }
        if (def instanceof Integer) {
            return "use a whole number";
        }
        if (def instanceof MemorySize) {
            return "use a size such as 64kb or 8mb";
        }
        if (def instanceof Enum) {
            return "use one of " + enumNames(((Enum<?>) def).getDeclaringClass());
        }
        if (option == JobOptions.SINKS) {
            return "use one or more of "
                    + enumNames(JobOptions.SinkType.class)
                    + ", separated by ';' or ','";
        }
        return "see --help";
    }

    private static String enumNames(Class<?> type) {
        StringBuilder sb = new StringBuilder();
        for (Object constant : type.getEnumConstants()) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(constant.toString().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        return sb.toString();
    }
}
