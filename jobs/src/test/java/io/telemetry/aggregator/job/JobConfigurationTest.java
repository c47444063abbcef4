package io.telemetry.aggregator.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.telemetry.aggregator.operators.ParseOptions;
import io.telemetry.aggregator.operators.WindowOptions;
import io.telemetry.aggregator.udp.UdpSourceOptions;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JobConfigurationTest {

    /** Loads the settings and builds the job's parts, as the job does when it starts. */
    private static Configuration load(Map<String, String> env, String... args) {
        Configuration config = JobConfiguration.load(args, env).config;
        Configuration effective = new Configuration(config);
        if (!effective.contains(CheckpointingOptions.CHECKPOINTING_INTERVAL)) {
            effective.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, CheckpointDefaults.INTERVAL);
        }
        JobParts.from(effective);
        return config;
    }

    @Test
    void defaultsWithoutAnySetting() {
        Configuration config = load(Map.of());
        assertThat(config.get(UdpSourceOptions.PORT)).isEqualTo(6000);
        assertThat(config.get(WindowOptions.WINDOW_SIZE)).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.get(WindowOptions.OUT_OF_ORDERNESS)).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.get(WindowOptions.ALLOWED_LATENESS)).isEqualTo(Duration.ZERO);
        assertThat(config.get(ParseOptions.MAX_FUTURE_SKEW)).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.get(ParseOptions.DEFAULT_FUNCTIONS)).containsExactly("avg");
    }

    @Test
    void yamlThenEnvironmentThenArguments(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("settings.yaml");
        Files.writeString(
                yaml,
                "source:\n  udp:\n    port: 7000\n    bind-address: 127.0.0.1\n"
                        + "window.size: 30s\n"
                        + "parse:\n  source-fields: [device_id, host]\n  format: line-protocol\n"
                        + "parallelism.default: 3\n",
                StandardCharsets.UTF_8);

        Configuration config =
                load(
                        Map.of(
                                "AGGREGATOR_PORT",
                                "7001",
                                "TELEMETRY_WINDOW_OUT_OF_ORDERNESS",
                                "2s"),
                        "--config",
                        yaml.toString(),
                        "--window.size",
                        "10s");

        assertThat(config.get(UdpSourceOptions.PORT)).isEqualTo(7001);
        assertThat(config.get(UdpSourceOptions.BIND_ADDRESS)).isEqualTo("127.0.0.1");
        assertThat(config.get(WindowOptions.WINDOW_SIZE)).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.get(WindowOptions.OUT_OF_ORDERNESS)).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.get(ParseOptions.SOURCE_FIELDS)).containsExactly("device_id", "host");
        assertThat(config.get(ParseOptions.FORMAT)).isEqualTo(ParseOptions.Format.LINE_PROTOCOL);
        assertThat(config.get(CoreOptions.DEFAULT_PARALLELISM)).isEqualTo(3);
    }

    @Test
    void seedVariables() {
        Configuration config = load(Map.of("AGGREGATION_INTERVAL", "15", "STORAGE_TYPE", "log"));
        assertThat(config.get(WindowOptions.WINDOW_SIZE)).isEqualTo(Duration.ofSeconds(15));
        assertThat(config.get(JobOptions.SINKS)).containsExactly(JobOptions.SinkType.LOG);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "--source.udp.port|abc|source.udp.port=abc is not allowed: use a whole number",
                "--source.udp.port|70000|source.udp.port=70000 is not allowed: use a port from 1 to 65535",
                "--source.udp.receive-buffer|lots|source.udp.receive-buffer=lots is not allowed: use a size such as 64kb or 8mb",
                "--window.size|0s|window.size=0s is not allowed: use a duration of at least 1ms, e.g. 10s",
                "--window.size|ten seconds|window.size=ten seconds is not allowed: use a duration such as 500ms, 10s, 1min or 1h",
                "--window.allowed-lateness|-5s|window.allowed-lateness=-5s is not allowed: use a duration such as 500ms, 10s, 1min or 1h",
                "--parse.format|xml|parse.format=xml is not allowed: use one of auto, json, line-protocol, statsd",
                "--parse.default-function|median|parse.default-function=median is not allowed: 'median' is not a function; use count, sum, min, max, avg, first, last, stddev, count_distinct, p50, p90, p95, p99",
                "--parse.function-rules|gpu.*|parse.function-rules entry 'gpu.*' is not allowed: write pattern=function[,function...], e.g. gpu.*=avg,max",
                "--parse.line-protocol.precision|h|parse.line-protocol.precision=h is not allowed: use ns, us, ms or s",
                "--parse.statsd.timer-functions|avg;median|parse.statsd.timer-functions=avg,median is not allowed: 'median' is not a function; use count, sum, min, max, avg, first, last, stddev, count_distinct, p50, p90, p95, p99",
                "--parse.statsd.gauge-expiry|0s|parse.statsd.gauge-expiry=0s is not allowed: use a duration above 0, e.g. 1h",
                "--sink.types|cassandra|sink.types=cassandra is not allowed: use one or more of log, kafka, postgres, influxdb, separated by ';' or ','",
                "--sink.types|kafka|sink.kafka.bootstrap-servers is missing: the kafka sink needs the brokers, e.g. kafka:9092 (or set KAFKA_BOOTSTRAP_SERVERS)",
                "--sink.types|postgres|sink.postgres.connection is missing: the postgres sink needs a database, e.g. postgresql://user:password@host:5432/db (or set POSTGRES_CONNECTION_STRING)",
                "--sink.types|influxdb|sink.influxdb.url is missing: the influxdb sink needs a URL, e.g. http://influxdb:8086 (or set INFLUXDB_URL)",
                "--sink.kafka.delivery-guarantee|twice|sink.kafka.delivery-guarantee=twice is not allowed: use exactly-once or at-least-once",
                "--window.size||--window.size needs a value",
                "--source.udp.allowed-senders|10.0.0.0/8;10.1.2.3/40|source.udp.allowed-senders: '10.1.2.3/40' has no valid prefix length (0 to 32)",
            })
    void aBadSettingIsOneClearLine(String key, String value, String message) {
        String[] args = value == null ? new String[] {key} : new String[] {key, value};
        assertThatThrownBy(() -> load(Map.of(), args))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage(message);
    }

    @Test
    void unknownSettingsAreTyposButKafkaClientPropertiesPassThrough() {
        assertThatThrownBy(() -> load(Map.of(), "--window.sise", "10s"))
                .hasMessageStartingWith(
                        "Unknown setting 'window.sise'; the job's settings are: source.udp.bind-address, source.udp.port,");
        Configuration config =
                load(Map.of(), "--sink.kafka.properties.security.protocol", "SASL_SSL");
        assertThat(config.toMap())
                .containsEntry("sink.kafka.properties.security.protocol", "SASL_SSL");
    }

    @Test
    void passwordsNeverAppearInMessages() {
        assertThatThrownBy(
                        () ->
                                load(
                                        Map.of(
                                                "STORAGE_TYPE",
                                                "postgres",
                                                "POSTGRES_CONNECTION_STRING",
                                                "mysql://app:s3cret@db/x")))
                .hasMessage(
                        "sink.postgres.connection is not allowed: 'mysql://app:***@db/x' is neither a JDBC URL"
                                + " (jdbc:postgresql://host:5432/db) nor a libpq URI (postgresql://user:password@host:5432/db)");
        assertThat(io.telemetry.aggregator.sinks.Redaction.setting("sink.influxdb.token", "abc"))
                .isEqualTo("***");
        assertThat(
                        io.telemetry.aggregator.sinks.Redaction.setting(
                                "sink.postgres.connection", "postgresql://u:pw@h/d"))
                .isEqualTo("postgresql://u:***@h/d");
    }

    @Test
    void secretsFromFilesThatKubernetesMounts(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("token"), "t0ken\n");
        Files.writeString(dir.resolve("password"), "pa ss\n");
        Files.writeString(
                dir.resolve("jaas"),
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";");
        Configuration config =
                load(
                        Map.of(
                                "INFLUXDB_TOKEN_FILE", dir.resolve("token").toString(),
                                "TELEMETRY_SINK_POSTGRES_PASSWORD_FILE",
                                        dir.resolve("password").toString(),
                                "TELEMETRY_SINK_KAFKA_PROPERTIES_SASL_JAAS_CONFIG_FILE",
                                        dir.resolve("jaas").toString(),
                                "TELEMETRY_SINK_KAFKA_PROPERTIES_SSL_TRUSTSTORE_PASSWORD",
                                        "changeit"));
        assertThat(config.toMap())
                .containsEntry("sink.influxdb.token", "t0ken")
                .containsEntry("sink.postgres.password", "pa ss")
                .containsEntry(
                        "sink.kafka.properties.sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";")
                .containsEntry("sink.kafka.properties.ssl.truststore.password", "changeit");

        assertThatThrownBy(() -> load(Map.of("INFLUXDB_TOKEN_FILE", "/run/secrets/none/token")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage(
                        "INFLUXDB_TOKEN_FILE=/run/secrets/none/token is not allowed: cannot read the file (NoSuchFileException)");
        assertThatThrownBy(
                        () ->
                                load(
                                        Map.of(
                                                "INFLUXDB_TOKEN_FILE",
                                                dir.resolve("token").toString(),
                                                "INFLUXDB_TOKEN",
                                                "x")))
                .hasMessage("INFLUXDB_TOKEN and INFLUXDB_TOKEN_FILE are both set: use one of them");
    }

    @Test
    void seedVariablesOfTheStores() {
        Configuration config =
                load(
                        Map.of(
                                "STORAGE_TYPE", "kafka,postgres,influxdb",
                                "KAFKA_BOOTSTRAP_SERVERS", "kafka:9092",
                                "KAFKA_TOPIC", "aggs",
                                "POSTGRES_CONNECTION_STRING", "postgresql://u:p@db:5432/telemetry",
                                "INFLUXDB_URL", "http://influxdb:8086",
                                "INFLUXDB_TOKEN", "t",
                                "INFLUXDB_ORG", "o",
                                "INFLUXDB_BUCKET", "b"));
        assertThat(config.get(JobOptions.SINKS))
                .containsExactly(
                        JobOptions.SinkType.KAFKA,
                        JobOptions.SinkType.POSTGRES,
                        JobOptions.SinkType.INFLUXDB);
        assertThat(config.toMap())
                .containsEntry("sink.kafka.bootstrap-servers", "kafka:9092")
                .containsEntry("sink.kafka.topic", "aggs")
                .containsEntry("sink.postgres.connection", "postgresql://u:p@db:5432/telemetry")
                .containsEntry("sink.influxdb.url", "http://influxdb:8086")
                .containsEntry("sink.influxdb.bucket", "b")
                // The checkpoint default applies when the job runs, where the cluster's wins.
                .doesNotContainKey("execution.checkpointing.interval");
    }

    @Test
    void badSeedVariableAndMissingFile() {
        assertThatThrownBy(() -> load(Map.of("AGGREGATION_INTERVAL", "1m")))
                .hasMessage(
                        "AGGREGATION_INTERVAL=1m is not allowed: use a whole number of seconds above 0, e.g. 60");
        assertThatThrownBy(() -> load(Map.of(), "--config", "/nonexistent/settings.yaml"))
                .hasMessage("--config /nonexistent/settings.yaml is not allowed: no such file");
    }

    @Test
    void helpListsEverySettingWithItsDefault() {
        String help = SettingsHelp.help();
        for (ConfigOption<?> option : JobOptions.ALL) {
            assertThat(help)
                    .contains(
                            "--"
                                    + option.key()
                                    + " (default: "
                                    + SettingsHelp.defaultText(option)
                                    + ")");
        }
        assertThat(help)
                .contains("--window.size (default: 1min)")
                .contains(
                        "--parse.source-fields (default: source;device_id;drone_id;host;hostname)");
        assertThat(JobConfiguration.load(new String[] {"--help"}, Map.of()).helpRequested).isTrue();
    }

    @Test
    void localRunnerStopsAtStartWithOneLineAndStatus2() throws Exception {
        Process process =
                new ProcessBuilder(
                                new File(System.getProperty("java.home"), "bin/java").getPath(),
                                "-cp",
                                System.getProperty("java.class.path"),
                                LocalRunner.class.getName(),
                                "--window.size",
                                "-1s")
                        .redirectErrorStream(true)
                        .start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(output.lines().toList())
                .isEqualTo(
                        List.of(
                                "telemetry-aggregator: window.size=-1s is not allowed: use a duration such as 500ms, 10s, 1min or 1h"));
    }
}
