package io.telemetry.aggregator.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetry.aggregator.services.Await;
import io.telemetry.aggregator.services.CommittedRecords;
import io.telemetry.aggregator.services.UdpPortReservation;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.CheckpointType;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An injected task failure after the readers read datagrams no completed checkpoint covers, and a
 * second one before the restored job completed a checkpoint: each restore replays the readers'
 * journals from the checkpoint, and Kafka (read_committed), PostgreSQL and InfluxDB hold every
 * record once.
 */
class JournalReplayITCase {

    @RegisterExtension static final LocalStores STORES = LocalStores.withMiniCluster();

    @TempDir static Path dir;

    @Test
    void aFailureAndASecondBeforeTheNextCheckpointReplayWhatNoCheckpointCovered(
            @InjectClusterClient ClusterClient<?> client) throws Exception {
        Configuration config = STORES.config("replay");
        config.setString("restart-strategy.type", "fixed-delay");
        config.setString("restart-strategy.fixed-delay.attempts", "5");
        config.setString("restart-strategy.fixed-delay.delay", "500 ms");
        // Windows close only by newer records; the test takes the checkpoint the job restores
        // from (a periodic one comes at a random time within 7 min).
        config.setString("window.idle-timeout", "10min");
        config.setString("execution.checkpointing.interval", "7min");
        config.setString("source.udp.journal.dir", dir.resolve("journal").toString());
        long b = (System.currentTimeMillis() / 2_000 - 1_800) * 2_000;
        FailOnceSink.FAILED.set(false);
        FailOnceSink.FAILURES.set(0);

        UdpPortReservation reserved = UdpTestSender.reservePort();
        int port = reserved.port();
        // Fails the job the first two times the first window is emitted.
        JobClient job =
                LocalStores.startJob(
                        config,
                        port,
                        "replay",
                        // One reader and one watermark: a restored watermark waits for traffic
                        // on every parallel reader (or for the idle timeout).
                        1,
                        outputs ->
                                outputs.aggregates
                                        .sinkTo(new FailOnceSink(b, 2))
                                        .name("fail twice")
                                        .uid("test-fail-twice"));
        boolean drained = false;
        try (CommittedRecords kafkaReader = STORES.kafka.committedRecords("replay-aggregates");
                UdpTestSender s = new UdpTestSender(port)) {
            reserved.awaitJobSockets(1, LocalStores.TIMEOUT, () -> UdpTestSender.alive(job));
            s.send(RecoveryITCase.sum(1, b + 100) + "\n" + RecoveryITCase.sum(2, b + 200));
            checkpoint(client, job);
            // After the checkpoint: only the journals hold these once the task fails.
            s.send(RecoveryITCase.sum(10, b + 300));
            s.send(RecoveryITCase.sum(100, b + 3_500)); // closes the first window

            // Two failures, then the third emission of the window goes through.
            Await.until(
                    () -> FailOnceSink.FAILURES.get() >= 3,
                    LocalStores.TIMEOUT,
                    () -> FailOnceSink.FAILURES.get() + " emissions of the first window");
            List<String> expectedRows =
                    List.of(
                            "recovery d1 {} sum @" + b + " = 13.0 x3",
                            "recovery d1 {} sum @" + (b + 2_000) + " = 100.0 x1");
            Await.until(
                    () -> STORES.rows("replay").size() >= 1,
                    LocalStores.TIMEOUT,
                    () -> STORES.rows("replay").toString());
            LocalStores.drain(job, dir);
            drained = true;

            assertThat(STORES.rows("replay")).containsExactlyElementsOf(expectedRows);
            Await.until(
                    () -> kafkaReader.values().size() >= 2,
                    LocalStores.TIMEOUT,
                    () -> kafkaReader.values().toString());
            assertThat(kafkaReader.values())
                    .containsExactly(
                            LocalStores.kafkaValue("recovery", "d1", "{}", "sum", b, 13.0, 3),
                            LocalStores.kafkaValue(
                                    "recovery", "d1", "{}", "sum", b + 2_000, 100.0, 1));
            assertThat(STORES.points("replay"))
                    .containsExactly(
                            "recovery {function=sum, source=d1} 100 x1 @" + (b + 2_000),
                            "recovery {function=sum, source=d1} 13 x3 @" + b);
        } finally {
            reserved.close();
            if (!drained) {
                job.cancel().get();
            }
        }
    }

    /** A checkpoint, asked for again while some of the job's tasks are still starting. */
    private static void checkpoint(ClusterClient<?> client, JobClient job) throws Exception {
        long deadline = System.nanoTime() + LocalStores.TIMEOUT.toNanos();
        while (true) {
            try {
                client.triggerCheckpoint(job.getJobID(), CheckpointType.FULL).get();
                return;
            } catch (ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }
}
