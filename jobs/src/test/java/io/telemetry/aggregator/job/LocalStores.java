package io.telemetry.aggregator.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.telemetry.aggregator.operators.WindowOptions;
import io.telemetry.aggregator.services.InfluxDbServer;
import io.telemetry.aggregator.services.KafkaServer;
import io.telemetry.aggregator.services.PostgresServer;
import io.telemetry.aggregator.sinks.influxdb.InfluxDbSinkOptions;
import io.telemetry.aggregator.sinks.kafka.KafkaSinkOptions;
import io.telemetry.aggregator.sinks.postgres.PostgresSinkOptions;
import io.telemetry.aggregator.udp.UdpSource;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The three real stores of the end-to-end tests (Kafka, PostgreSQL, InfluxDB 1.x), the job's
 * settings for them, the job started as production wires it, and readers of what it wrote.
 */
final class LocalStores implements AutoCloseable {

    static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    final KafkaServer kafka;
    final PostgresServer postgres;
    final InfluxDbServer influx;

    private LocalStores(KafkaServer kafka, PostgresServer postgres, InfluxDbServer influx) {
        this.kafka = kafka;
        this.postgres = postgres;
        this.influx = influx;
    }

    static LocalStores start(Path dir) throws Exception {
        return new LocalStores(
                KafkaServer.start(dir.resolve("kafka")),
                PostgresServer.start(dir.resolve("postgres")),
                InfluxDbServer.start(dir.resolve("influxdb")));
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

    /** InfluxDB points as "measurement {tags} value count time". */
    /** InfluxDB points of a database, sorted. */
    List<String> points(String database) {
        try {
            return readPoints(database);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private List<String> readPoints(String database) throws Exception {
        List<String> points = new ArrayList<>();
        JsonNode result =
                JSON.readTree(influx.query(database, "SELECT * FROM /.*/")).path("results").get(0);
        for (JsonNode series : result.path("series")) {
            List<String> columns = new ArrayList<>();
            series.path("columns").forEach(c -> columns.add(c.asText()));
            for (JsonNode row : series.path("values")) {
                Map<String, String> cells = new TreeMap<>();
                for (int i = 0; i < columns.size(); i++) {
                    if (!row.get(i).isNull()) {
                        cells.put(columns.get(i), row.get(i).asText());
                    }
                }
                String value = cells.remove("value");
                String count = cells.remove("count");
                String time = cells.remove("time");
                points.add(
                        series.path("name").asText()
                                + " "
                                + cells
                                + " "
                                + value
                                + " x"
                                + count
                                + " @"
                                + time);
            }
        }
        points.sort(null);
        return points;
    }

    /** PostgreSQL rows of a table, ordered by window, metric, source, function. */
    List<String> rows(String table) {
        try {
            return StoreReaders.postgres(postgres, table);
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
        kafka.close();
        postgres.close();
        influx.close();
    }
}
