package io.telemetry.aggregator.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetry.aggregator.operators.AggregationOptions;
import io.telemetry.aggregator.services.InfluxDbServer;
import io.telemetry.aggregator.services.KafkaServer;
import io.telemetry.aggregator.services.PostgresServer;
import io.telemetry.aggregator.sinks.influxdb.InfluxDbSinkOptions;
import io.telemetry.aggregator.sinks.kafka.KafkaSinkOptions;
import io.telemetry.aggregator.sinks.postgres.PostgresSinkOptions;
import io.telemetry.aggregator.udp.UdpSource;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * UDP datagrams in, and real Kafka, PostgreSQL and InfluxDB hold exactly the expected aggregates,
 * with the dead letter in its Kafka topic.
 */
class EndToEndITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir static Path dir;
    static KafkaServer kafka;
    static PostgresServer postgres;
    static InfluxDbServer influx;

    @BeforeAll
    static void startStores() throws Exception {
        kafka = KafkaServer.start(dir.resolve("kafka"));
        postgres = PostgresServer.start(dir.resolve("postgres"));
        influx = InfluxDbServer.start(dir.resolve("influxdb"));
    }

    @AfterAll
    static void stopStores() throws Exception {
        kafka.close();
        postgres.close();
        influx.close();
    }

    /** The job's settings for all three stores, with small windows so that tests are quick. */
    static Configuration allStores(String name) throws Exception {
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
        config.set(AggregationOptions.WINDOW_SIZE, Duration.ofSeconds(2));
        config.set(AggregationOptions.OUT_OF_ORDERNESS, Duration.ofSeconds(1));
        config.set(AggregationOptions.IDLE_TIMEOUT, Duration.ofSeconds(1));
        config.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(1));
        return config;
    }

    /** InfluxDB points as "measurement {tags} value count time". */
    static List<String> influxPoints(String database) throws Exception {
        List<String> points = new ArrayList<>();
        JsonNode result = JSON.readTree(influx.query(database, "SELECT * FROM /.*/")).path("results").get(0);
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
                points.add(series.path("name").asText() + " " + cells + " " + value + " x" + count + " @" + time);
            }
        }
        points.sort(null);
        return points;
    }

    static String kafkaValue(String metric, String source, String tags, String function, long start, double value, long count) {
        String key = metric + "|" + source + "|" + tags + "|" + function;
        return key + " => {\"metric\":\"" + metric + "\",\"source\":\"" + source + "\",\"tags\":" + tags
                + ",\"function\":\"" + function + "\",\"window_start\":\"" + Instant.ofEpochMilli(start)
                + "\",\"window_end\":\"" + Instant.ofEpochMilli(start + 2_000) + "\",\"value\":" + value
                + ",\"count\":" + count + "}";
    }

    @Test
    void udpInAndEveryStoreHoldsExactlyTheAggregates() throws Exception {
        Configuration config = allStores("e2e");
        int port = UdpTestSender.freePort();
        JobClient job = startJob(config, port, "e2e", outputs -> {});
        try (StoreReaders kafkaReader = new StoreReaders(kafka.bootstrapServers(), "e2e-aggregates");
                StoreReaders deadReader = new StoreReaders(kafka.bootstrapServers(), "e2e-dead");
                UdpTestSender s = new UdpTestSender(port)) {
            UdpTestSender.awaitBoundSockets(port, 2, TIMEOUT);
            long b = (System.currentTimeMillis() / 2_000 - 1_800) * 2_000;
            String tags = "{\"site\":\"a b,c=d\"}";
            s.send(temp(10, b + 100, "[\"avg\",\"max\"]") + "\n" + temp(30, b + 900, "[\"avg\",\"max\"]") + "\n{bad");
            s.send("gpu,host=g1 util=50 " + (b + 500) * 1_000_000 + "\ngpu,host=g1 util=70 " + (b + 1_500) * 1_000_000);
            s.send(temp(5, b + 2_500, null));

            List<String> expectedRows =
                    List.of(
                            "gpu.util g1 {} avg @" + b + " = 60.0 x2",
                            "temp d1 {\"site\": \"a b,c=d\"} avg @" + b + " = 20.0 x2",
                            "temp d1 {\"site\": \"a b,c=d\"} max @" + b + " = 30.0 x2",
                            "temp d1 {\"site\": \"a b,c=d\"} avg @" + (b + 2_000) + " = 5.0 x1");
            StoreReaders.await(() -> rows("e2e").size() >= 4, TIMEOUT, () -> rows("e2e").toString());
            StoreReaders.await(() -> kafkaReader.kafka().size() >= 4, TIMEOUT, () -> kafkaReader.kafka().toString());
            StoreReaders.await(() -> points("e2e").size() >= 4, TIMEOUT, () -> points("e2e").toString());
            StoreReaders.await(() -> deadReader.kafka().size() >= 1, TIMEOUT, () -> deadReader.kafka().toString());
            Thread.sleep(2_000); // anything more would be a duplicate

            assertThat(rows("e2e")).containsExactlyElementsOf(expectedRows);
            assertThat(kafkaReader.kafka())
                    .containsExactlyInAnyOrder(
                            kafkaValue("gpu.util", "g1", "{}", "avg", b, 60.0, 2),
                            kafkaValue("temp", "d1", tags, "avg", b, 20.0, 2),
                            kafkaValue("temp", "d1", tags, "max", b, 30.0, 2),
                            kafkaValue("temp", "d1", tags, "avg", b + 2_000, 5.0, 1));
            assertThat(points("e2e"))
                    .containsExactly(
                            "gpu.util {function=avg, source=g1} 60 x2 @" + b,
                            "temp {function=avg, site=a b,c=d, source=d1} 20 x2 @" + b,
                            "temp {function=avg, site=a b,c=d, source=d1} 5 x1 @" + (b + 2_000),
                            "temp {function=max, site=a b,c=d, source=d1} 30 x2 @" + b);
            assertThat(deadReader.kafka())
                    .singleElement()
                    .satisfies(d -> assertThat(d).startsWith("{\"reason\":\"malformed\",").contains("\"sender\":\"" + s.address() + "\"").endsWith("\"record\":\"{bad\"}"));
        } finally {
            job.cancel().get();
        }
    }

    @Test
    void storesAwayForTwentySecondsLoseAndDoubleNothing() throws Exception {
        Configuration config = allStores("outage");
        // Any failure would lose what arrived since the last checkpoint: the job must ride it out.
        config.setString("restart-strategy.type", "none");
        // Windows close only by newer records here, never by the idle flush, whatever the timing.
        config.set(AggregationOptions.IDLE_TIMEOUT, Duration.ofMinutes(10));
        int port = UdpTestSender.freePort();
        long b = (System.currentTimeMillis() / 2_000 - 1_800) * 2_000;

        JobClient job = startJob(config, port, "outage", outputs -> {});
        try (StoreReaders kafkaReader = new StoreReaders(kafka.bootstrapServers(), "outage-aggregates");
                UdpTestSender s = new UdpTestSender(port)) {
            UdpTestSender.awaitBoundSockets(port, 2, TIMEOUT);
            s.send(outage(1, b + 100) + "\n" + outage(2, b + 200));
            s.send(outage(10, b + 3_000)); // closes the first window
            StoreReaders.await(() -> rows("outage").size() >= 1, TIMEOUT, () -> rows("outage").toString());
            StoreReaders.await(() -> kafkaReader.kafka().size() >= 1, TIMEOUT, () -> kafkaReader.kafka().toString());
            StoreReaders.await(() -> points("outage").size() >= 1, TIMEOUT, () -> points("outage").toString());

            kafka.stop();
            influx.stop();
            postgres.refuseConnections();
            s.send(outage(20, b + 3_500));
            s.send(outage(5, b + 6_100)); // closes the second window while every store is away
            s.send(outage(7, b + 9_500)); // closes the third
            Thread.sleep(20_000);
            assertThat(job.getJobStatus().get()).isEqualTo(org.apache.flink.api.common.JobStatus.RUNNING);
            kafka.restart();
            influx.restart();
            postgres.reopen();

            StoreReaders.await(() -> rows("outage").size() >= 3, TIMEOUT, () -> rows("outage").toString());
            StoreReaders.await(() -> kafkaReader.kafka().size() >= 3, TIMEOUT, () -> kafkaReader.kafka().toString());
            StoreReaders.await(() -> points("outage").size() >= 3, TIMEOUT, () -> points("outage").toString());
            Thread.sleep(2_000);

            assertThat(rows("outage"))
                    .containsExactly(
                            "outage d1 {} sum @" + b + " = 3.0 x2",
                            "outage d1 {} sum @" + (b + 2_000) + " = 30.0 x2",
                            "outage d1 {} sum @" + (b + 6_000) + " = 5.0 x1");
            assertThat(kafkaReader.kafka())
                    .containsExactly(
                            kafkaValue("outage", "d1", "{}", "sum", b, 3.0, 2),
                            kafkaValue("outage", "d1", "{}", "sum", b + 2_000, 30.0, 2),
                            kafkaValue("outage", "d1", "{}", "sum", b + 6_000, 5.0, 1));
            assertThat(points("outage"))
                    .containsExactly(
                            "outage {function=sum, source=d1} 3 x2 @" + b,
                            "outage {function=sum, source=d1} 30 x2 @" + (b + 2_000),
                            "outage {function=sum, source=d1} 5 x1 @" + (b + 6_000));
            assertThat(job.getJobStatus().get()).isEqualTo(org.apache.flink.api.common.JobStatus.RUNNING);
        } finally {
            job.cancel().get();
        }
    }

    static String outage(double value, long ts) {
        return "{\"metric\":\"outage\",\"value\":" + value + ",\"ts\":" + ts + ",\"device_id\":\"d1\",\"function\":\"sum\"}";
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
        JobSinks sinks = JobSinks.from(config);
        sinks.prepare();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(2);
        TelemetryAggregatorJob.Outputs outputs =
                TelemetryAggregatorJob.build(
                        env, config, UdpSource.builder().setBindAddress("127.0.0.1").setPort(port).build());
        sinks.attach(outputs);
        extra.accept(outputs);
        return env.executeAsync(name);
    }

    static String temp(double value, long ts, String function) {
        return "{\"metric\":\"temp\",\"value\":" + value + ",\"ts\":" + ts + ",\"device_id\":\"d1\",\"tags\":{\"site\":\"a b,c=d\"}"
                + (function == null ? "" : ",\"function\":" + function) + "}";
    }

    static List<String> rows(String table) {
        try {
            return StoreReaders.postgres(postgres, table);
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    static List<String> points(String database) {
        try {
            return influxPoints(database);
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}
