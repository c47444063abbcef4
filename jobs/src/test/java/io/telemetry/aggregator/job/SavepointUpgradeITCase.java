package io.telemetry.aggregator.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetry.aggregator.operators.WindowAggregate;
import io.telemetry.aggregator.operators.WindowOptions;
import io.telemetry.aggregator.services.Await;
import io.telemetry.aggregator.services.CommittedRecords;
import io.telemetry.aggregator.services.UdpPortReservation;
import io.telemetry.aggregator.udp.UdpSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stop with a savepoint while a window is open, start a changed version from it (parallelism 2 to
 * 1, and an extra sink), keep sending: every window comes out once and exactly right in Kafka
 * (read_committed) and PostgreSQL.
 */
class SavepointUpgradeITCase {

    @RegisterExtension static final LocalStores STORES = LocalStores.withMiniCluster();

    @TempDir static Path dir;

    @Test
    void aChangedVersionResumesFromASavepointWithEveryWindowExact(
            @InjectClusterClient ClusterClient<?> client) throws Exception {
        Configuration config = STORES.config("upgrade");
        // Windows close only by newer records, so the savepoint certainly holds an open one.
        config.set(WindowOptions.IDLE_TIMEOUT, Duration.ofMinutes(10));
        UdpPortReservation reserved = UdpTestSender.reservePort();
        int port = reserved.port();
        long b = (System.currentTimeMillis() / 2_000 - 1_800) * 2_000;

        JobClient first = LocalStores.startJob(config, port, "upgrade-v1", outputs -> {});
        String savepoint;
        try (CommittedRecords kafkaReader = STORES.kafka.committedRecords("upgrade-aggregates");
                UdpTestSender s = new UdpTestSender(port)) {
            reserved.awaitJobSockets(2, LocalStores.TIMEOUT, () -> UdpTestSender.alive(first));
            s.send(upgrade(1, b + 100) + "\n" + upgrade(2, b + 200));
            s.send(upgrade(10, b + 3_000)); // closes the first window; the second stays open
            Await.until(
                    () -> STORES.rows("upgrade").size() >= 1,
                    LocalStores.TIMEOUT,
                    () -> STORES.rows("upgrade").toString());
            Await.until(
                    () -> kafkaReader.values().size() >= 1,
                    LocalStores.TIMEOUT,
                    () -> kafkaReader.values().toString());
            // The first window's aggregate means its closing record was parsed, and the open
            // window's record before it (same sender, same reader): the savepoint holds it.

            savepoint =
                    client.stopWithSavepoint(
                                    first.getJobID(),
                                    false,
                                    dir.resolve("savepoints").toUri().toString(),
                                    SavepointFormatType.CANONICAL)
                            .get();
        }

        // Version 2: parallelism 1 and one more sink.
        Configuration upgraded = new Configuration(config);
        upgraded.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        CollectingSink<WindowAggregate> extra = new CollectingSink<>();
        JobSinks sinks = JobSinks.from(upgraded);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(upgraded);
        env.setParallelism(1);
        TelemetryAggregatorJob.Outputs outputs =
                TelemetryAggregatorJob.build(
                        env,
                        upgraded,
                        UdpSource.builder().setBindAddress("127.0.0.1").setPort(port).build());
        sinks.attach(outputs);
        outputs.aggregates.sinkTo(extra).name("extra sink of version 2").uid("test-extra-sink");
        JobClient second = env.executeAsync("upgrade-v2");
        boolean drained = false;
        try (CommittedRecords kafkaReader = STORES.kafka.committedRecords("upgrade-aggregates");
                UdpTestSender s = new UdpTestSender(port)) {
            // Bound again by this job's one reader, for both splits of the savepoint (the kernel
            // queues what arrives from then on).
            UdpPortReservation.awaitSplitSockets(port, 2, LocalStores.TIMEOUT);
            s.send(upgrade(20, b + 3_500));
            s.send(upgrade(5, b + 6_100)); // closes the second window
            s.send(upgrade(7, b + 9_500)); // closes the third

            Await.until(
                    () -> STORES.rows("upgrade").size() >= 3,
                    LocalStores.TIMEOUT,
                    () -> STORES.rows("upgrade").toString());
            Await.until(
                    () -> kafkaReader.values().size() >= 3,
                    LocalStores.TIMEOUT,
                    () -> kafkaReader.values().toString());
            // The drain emits the window still open (b + 8 s): then everything is final.
            LocalStores.drain(second, dir);
            drained = true;

            assertThat(STORES.rows("upgrade")).containsExactlyElementsOf(upgradedRows(b));
            assertThat(kafkaReader.values()).containsExactlyElementsOf(upgradedKafkaValues(b));
            assertThat(extra.received())
                    .extracting(a -> a.windowStart + "=" + a.value)
                    .containsExactly(
                            (b + 2_000) + "=30.0", (b + 6_000) + "=5.0", (b + 8_000) + "=7.0");
        } finally {
            reserved.close();
            if (!drained) {
                second.cancel().get();
            }
        }
    }

    /**
     * The PostgreSQL rows of the upgrade scenario once drained: 1 and 2 in the first window, 10
     * before and 20 after the savepoint in the second, 5 and 7 in the next two.
     */
    static List<String> upgradedRows(long b) {
        return List.of(
                "upgrade d1 {} sum @" + b + " = 3.0 x2",
                "upgrade d1 {} sum @" + (b + 2_000) + " = 30.0 x2",
                "upgrade d1 {} sum @" + (b + 6_000) + " = 5.0 x1",
                "upgrade d1 {} sum @" + (b + 8_000) + " = 7.0 x1");
    }

    /** The Kafka records of the upgrade scenario once drained, in order. */
    static List<String> upgradedKafkaValues(long b) {
        return List.of(
                LocalStores.kafkaValue("upgrade", "d1", "{}", "sum", b, 3.0, 2),
                LocalStores.kafkaValue("upgrade", "d1", "{}", "sum", b + 2_000, 30.0, 2),
                LocalStores.kafkaValue("upgrade", "d1", "{}", "sum", b + 6_000, 5.0, 1),
                LocalStores.kafkaValue("upgrade", "d1", "{}", "sum", b + 8_000, 7.0, 1));
    }

    static String upgrade(double value, long ts) {
        return "{\"metric\":\"upgrade\",\"value\":"
                + value
                + ",\"ts\":"
                + ts
                + ",\"device_id\":\"d1\",\"function\":\"sum\"}";
    }
}
