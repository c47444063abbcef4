package io.telemetry.aggregator.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetry.aggregator.operators.WindowOptions;
import io.telemetry.aggregator.services.Await;
import io.telemetry.aggregator.services.CommittedRecords;
import io.telemetry.aggregator.services.UdpPortReservation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task fails mid-stream after a checkpoint and the job restarts from it: Kafka read_committed,
 * PostgreSQL and InfluxDB hold every window once.
 */
class RecoveryITCase {

    /**
     * One TaskManager: the failure must restart the job on it, not stop it (see
     * AbortTolerantKafkaSink).
     */
    @RegisterExtension static final LocalStores STORES = LocalStores.withMiniCluster();

    @TempDir static Path dir;

    @Test
    void afterAFailureTheJobResumesFromItsCheckpointWithNothingLostOrDoubled() throws Exception {
        Configuration config = STORES.config("recovery");
        config.setString("restart-strategy.type", "fixed-delay");
        config.setString("restart-strategy.fixed-delay.attempts", "3");
        config.setString("restart-strategy.fixed-delay.delay", "500 ms");
        // The second window is emitted by the idle flush some seconds after the last datagram,
        // so several 1 s checkpoints hold it open before the injected failure.
        config.set(WindowOptions.IDLE_TIMEOUT, Duration.ofSeconds(4));
        UdpPortReservation reserved = UdpTestSender.reservePort();
        int port = reserved.port();
        long b = (System.currentTimeMillis() / 2_000 - 1_800) * 2_000;
        FailOnceSink.FAILED.set(false);
        FailOnceSink.FAILURES.set(0);
        FailOnceSink.WRITERS.set(0);

        // Fails the job when the second window is emitted, after a checkpoint holds it open.
        JobClient job =
                LocalStores.startJob(
                        config,
                        port,
                        "recovery",
                        outputs ->
                                outputs.aggregates
                                        .sinkTo(new FailOnceSink(b + 2_000))
                                        .name("fail once")
                                        .uid("test-fail-once"));
        boolean drained = false;
        try (CommittedRecords kafkaReader = STORES.kafka.committedRecords("recovery-aggregates");
                UdpTestSender s = new UdpTestSender(port)) {
            reserved.awaitJobSockets(2, LocalStores.TIMEOUT, () -> UdpTestSender.alive(job));
            s.send(sum(1, b + 100) + "\n" + sum(2, b + 200));
            s.send(sum(10, b + 3_000) + "\n" + sum(20, b + 3_500)); // closes the first window

            Await.until(FailOnceSink.FAILED::get, LocalStores.TIMEOUT, () -> "no failure yet");
            Await.until(
                    () -> FailOnceSink.WRITERS.get() >= 4,
                    LocalStores.TIMEOUT,
                    () -> "writers " + FailOnceSink.WRITERS.get());
            // The failed tasks are gone once the restarted writers opened; the restarted readers
            // have bound the port once the kernel lists both sockets again.
            UdpPortReservation.awaitSplitSockets(port, 2, LocalStores.TIMEOUT);
            // New traffic after the restart moves the restored watermark past the second window.
            s.send(sum(100, b + 6_500));

            List<String> expectedRows =
                    List.of(
                            "recovery d1 {} sum @" + b + " = 3.0 x2",
                            "recovery d1 {} sum @" + (b + 2_000) + " = 30.0 x2",
                            "recovery d1 {} sum @" + (b + 6_000) + " = 100.0 x1");
            Await.until(
                    () -> STORES.rows("recovery").size() >= 3,
                    LocalStores.TIMEOUT,
                    () -> STORES.rows("recovery").toString());
            Await.until(
                    () -> kafkaReader.values().size() >= 3,
                    LocalStores.TIMEOUT,
                    () -> kafkaReader.values().toString());
            Await.until(
                    () -> STORES.points("recovery").size() >= 3,
                    LocalStores.TIMEOUT,
                    () -> STORES.points("recovery").toString());
            LocalStores.drain(job, dir);
            drained = true;

            assertThat(STORES.rows("recovery")).containsExactlyElementsOf(expectedRows);
            assertThat(kafkaReader.values())
                    .containsExactly(
                            LocalStores.kafkaValue("recovery", "d1", "{}", "sum", b, 3.0, 2),
                            LocalStores.kafkaValue(
                                    "recovery", "d1", "{}", "sum", b + 2_000, 30.0, 2),
                            LocalStores.kafkaValue(
                                    "recovery", "d1", "{}", "sum", b + 6_000, 100.0, 1));
            assertThat(STORES.points("recovery"))
                    .containsExactly(
                            "recovery {function=sum, source=d1} 100 x1 @" + (b + 6_000),
                            "recovery {function=sum, source=d1} 3 x2 @" + b,
                            "recovery {function=sum, source=d1} 30 x2 @" + (b + 2_000));
        } finally {
            reserved.close();
            if (!drained) {
                job.cancel().get();
            }
        }
    }

    static String sum(double value, long ts) {
        return "{\"metric\":\"recovery\",\"value\":"
                + value
                + ",\"ts\":"
                + ts
                + ",\"device_id\":\"d1\",\"function\":\"sum\"}";
    }
}
