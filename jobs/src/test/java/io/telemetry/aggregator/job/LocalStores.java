package io.telemetry.aggregator.job;

import io.telemetry.aggregator.operators.WindowOptions;
import io.telemetry.aggregator.services.AggregateRow;
import io.telemetry.aggregator.services.Directories;
import io.telemetry.aggregator.services.InfluxDbServer;
import io.telemetry.aggregator.services.KafkaServer;
import io.telemetry.aggregator.services.PostgresServer;
import io.telemetry.aggregator.sinks.influxdb.InfluxDbSinkOptions;
import io.telemetry.aggregator.sinks.kafka.KafkaSinkOptions;
import io.telemetry.aggregator.sinks.postgres.PostgresSinkOptions;
import io.telemetry.aggregator.udp.UdpSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The three real stores of the end-to-end tests (Kafka, PostgreSQL, InfluxDB 1.x), the job's
 * settings for them, the job started as production wires it, and readers of what it wrote.
 *
 * <p>An ITCase registers {@link #withMiniCluster} as its extension: the stores and a MiniCluster
 * start before its first test and stop after its last. A test of its own cluster calls {@link
 * #start}.
 */
final class LocalStores
        implements AutoCloseable,
                BeforeAllCallback,
                BeforeEachCallback,
                AfterEachCallback,
                AfterAllCallback,
                ParameterResolver {

    static final Duration TIMEOUT = Duration.ofSeconds(90);

    KafkaServer kafka;
    PostgresServer postgres;
    InfluxDbServer influx;

    /** The MiniCluster of an extension, or null. */
    private final MiniClusterExtension flink;

    private Path dir;

    private LocalStores(MiniClusterExtension flink) {
        this.flink = flink;
    }

    /** Starts the stores, each in its own directory under {@code dir}. */
    static LocalStores start(Path dir) throws Exception {
        LocalStores stores = new LocalStores(null);
        stores.startServers(dir);
        return stores;
    }

    /**
     * The stores and a MiniCluster of one TaskManager with two slots and these settings (a metric
     * reporter, say), as a JUnit extension for a whole test class.
     */
    static LocalStores withMiniCluster(Configuration cluster) {
        return new LocalStores(
                new MiniClusterExtension(
                        new MiniClusterResourceConfiguration.Builder()
                                .setConfiguration(cluster)
                                .setNumberTaskManagers(1)
                                .setNumberSlotsPerTaskManager(2)
                                .build()));
    }

    /** {@link #withMiniCluster(Configuration)} with the cluster's defaults. */
    static LocalStores withMiniCluster() {
        return withMiniCluster(new Configuration());
    }

    private void startServers(Path root) throws Exception {
        kafka = KafkaServer.start(root.resolve("kafka"));
        postgres = PostgresServer.start(root.resolve("postgres"));
        influx = InfluxDbServer.start(root.resolve("influxdb"));
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        flink.beforeAll(context);
        dir = Files.createTempDirectory("local-stores");
        startServers(dir);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        flink.beforeEach(context);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        flink.afterEach(context);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            close();
            Directories.deleteTree(dir);
        } finally {
            flink.afterAll(context);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return flink.supportsParameter(parameter, context);
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return flink.resolveParameter(parameter, context);
    }

    /** The job's settings for all three stores, with small windows so that tests are quick. */
    Configuration config(String name) throws Exception {
        influx.query(null, "CREATE DATABASE " + name);
        Configuration config = new Configuration();
        config.setString(JobOptions.SINKS.key(), "KAFKA;POSTGRES;INFLUXDB");
        config.set(KafkaSinkOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        config.set(KafkaSinkOptions.TOPIC, name + "-aggregates");
        config.set(KafkaSinkOptions.DEAD_LETTER_TOPIC, name + "-dead");
        config.set(PostgresSinkOptions.CONNECTION, postgres.uri());
        config.set(PostgresSinkOptions.TABLE, name);
        config.set(PostgresSinkOptions.BATCH_INTERVAL, Duration.ofMillis(200));
        config.set(InfluxDbSinkOptions.URL, influx.url());
        config.set(InfluxDbSinkOptions.DATABASE, name);
        config.set(InfluxDbSinkOptions.FLUSH_INTERVAL, Duration.ofMillis(200));
        config.set(WindowOptions.WINDOW_SIZE, Duration.ofSeconds(2));
        config.set(WindowOptions.OUT_OF_ORDERNESS, Duration.ofSeconds(1));
        config.set(WindowOptions.IDLE_TIMEOUT, Duration.ofSeconds(1));
        config.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(1));
        return config;
    }

    /** InfluxDB points of a database, sorted: "measurement {tags} value xcount @time". */
    List<String> points(String database) {
        try {
            return influx.points(database);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** PostgreSQL rows of a table, ordered by window, metric, source, function. */
    List<String> rows(String table) {
        try {
            return postgres.aggregateRows(table).stream().map(AggregateRow::toString).toList();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String kafkaValue(
            String metric,
            String source,
            String tags,
            String function,
            long start,
            double value,
            long count) {
        String key = metric + "|" + source + "|" + tags + "|" + function;
        return key
                + " => {\"metric\":\""
                + metric
                + "\",\"source\":\""
                + source
                + "\",\"tags\":"
                + tags
                + ",\"function\":\""
                + function
                + "\",\"window_start\":\""
                + Instant.ofEpochMilli(start)
                + "\",\"window_end\":\""
                + Instant.ofEpochMilli(start + 2_000)
                + "\",\"value\":"
                + value
                + ",\"count\":"
                + count
                + "}";
    }

    /**
     * Starts the job as production wires it, on a UDP port of the test's, with parallelism 2;
     * {@code extra} may attach test operators.
     */
    static JobClient startJob(
            Configuration config,
            int port,
            String name,
            java.util.function.Consumer<TelemetryAggregatorJob.Outputs> extra)
            throws Exception {
        return startJob(config, port, name, 2, extra);
    }

    /**
     * {@link #startJob(Configuration, int, String, java.util.function.Consumer)} at a parallelism.
     */
    static JobClient startJob(
            Configuration config,
            int port,
            String name,
            int parallelism,
            java.util.function.Consumer<TelemetryAggregatorJob.Outputs> extra)
            throws Exception {
        JobSinks sinks = JobSinks.from(config);
        sinks.prepare();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(parallelism);
        TelemetryAggregatorJob.Outputs outputs =
                TelemetryAggregatorJob.build(
                        env,
                        config,
                        UdpSource.builder()
                                .setConfiguration(config)
                                .setBindAddress("127.0.0.1")
                                .setPort(port)
                                .build());
        sinks.attach(outputs);
        extra.accept(outputs);
        return env.executeAsync(name);
    }

    /**
     * Stops the job with a savepoint that first emits every open window: once this returns, the job
     * has written, flushed and committed everything it ever will, so what the stores hold then is
     * final (a duplicate would be there to see).
     */
    static void drain(JobClient job, Path dir) throws Exception {
        job.stopWithSavepoint(
                        true,
                        dir.resolve("drained").toUri().toString(),
                        org.apache.flink.core.execution.SavepointFormatType.CANONICAL)
                .get();
        job.getJobExecutionResult().get();
    }

    @Override
    public void close() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            postgres.close();
        }
        if (influx != null) {
            influx.close();
        }
    }
}
