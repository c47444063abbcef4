package io.telemetry.aggregator.job;

import static io.telemetry.aggregator.job.SavepointFixture.WINDOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.telemetry.aggregator.operators.DeadLetter;
import io.telemetry.aggregator.operators.WindowAggregate;
import io.telemetry.aggregator.operators.WindowOptions;
import io.telemetry.aggregator.services.Await;
import io.telemetry.aggregator.services.UdpPortReservation;
import io.telemetry.aggregator.udp.UdpSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Restores the savepoint of every release the current code must read ({@link SavepointFixture})
 * with the current code, at the parallelism it was taken with and at another, and checks that the
 * open windows in it come out exactly, merged with records sent after the restore. Fails when a
 * change breaks restoring savepoints of that release: a uid, a state name or a state type.
 */
class SavepointFixtureITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir Path dir;

    static Stream<Arguments> fixtures() {
        return SavepointFixture.RESTORED.stream()
                .flatMap(
                        v ->
                                Stream.of(
                                        Arguments.of(v, 2, "hashmap"),
                                        Arguments.of(v, 1, "hashmap"),
                                        Arguments.of(v, 2, "rocksdb"),
                                        Arguments.of(v, 1, "rocksdb")));
    }

    @ParameterizedTest(name = "{0} at parallelism {1} into {2}")
    @MethodSource("fixtures")
    void aReleasesSavepointRestoresWithEveryOpenWindowExact(
            String version, int parallelism, String stateBackend) throws Exception {
        Path savepoint = Path.of("src/test/resources/savepoints", version).toAbsolutePath();
        assertThat(savepoint.resolve("_metadata")).exists();

        Configuration config = SavepointFixture.config();
        config.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint.toUri().toString());
        // The heap and the job's RocksDB (flink-conf) read a savepoint apart, timers too.
        config.set(StateBackendOptions.STATE_BACKEND, stateBackend);
        // Every piece of state must find its operator.
        config.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, false);
        config.set(WindowOptions.IDLE_TIMEOUT, Duration.ofSeconds(5));
        UdpPortReservation reserved = UdpTestSender.reservePort();
        int port = reserved.port();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(parallelism);
        TelemetryAggregatorJob.Outputs outputs =
                TelemetryAggregatorJob.build(
                        env,
                        config,
                        UdpSource.builder()
                                .setBindAddress("127.0.0.1")
                                .setPort(port)
                                // No journal of the fixture's splits here: a savepoint carries
                                // what its readers had not emitted.
                                .setJournalDirectory(dir.resolve("journal").toString())
                                .build());
        JobSinks.from(config).attach(outputs);
        CollectingSink<WindowAggregate> aggregates = new CollectingSink<>();
        CollectingSink<DeadLetter> deadLetters = new CollectingSink<>();
        outputs.aggregates.sinkTo(aggregates).name("collect aggregates").uid("test-aggregates");
        outputs.deadLetters
                .sinkTo(deadLetters)
                .name("collect dead letters")
                .uid("test-dead-letters");
        JobClient job = env.executeAsync("restore savepoint " + version);
        boolean drained = false;
        try {
            // The savepoint's two splits, at either parallelism, each with its sockets; 0.1.0's
            // splits held nothing and are made anew, one per reader.
            int splits = version.equals("0.1.0") ? parallelism : 2;
            try {
                reserved.awaitJobSockets(splits, TIMEOUT, () -> UdpTestSender.alive(job));
            } catch (IllegalStateException e) {
                if (!UdpTestSender.alive(job)) {
                    job.getJobExecutionResult().get(); // throws with why the restore failed
                }
                throw e;
            }
            try (UdpTestSender sender = new UdpTestSender(port)) {
                // Into the window that was open in the savepoint: merges with the restored state.
                sender.send(SavepointFixture.gpu(50, WINDOW + 30_000));
            }
            // Closes the next window too (the watermark would otherwise follow the wall clock for a
            // minute); these records' own window stays open and is not emitted. From 16 sockets,
            // so that the kernel hands some to every reader.
            for (int i = 0; i < 16; i++) {
                try (UdpTestSender sender = new UdpTestSender(port)) {
                    sender.send("closer:1|c|T" + (WINDOW + 126_000) / 1_000);
                }
            }
            Await.until(
                    () -> aggregates.received().size() >= 28 || !UdpTestSender.alive(job),
                    TIMEOUT,
                    () -> aggregates.received().size() + " of 28 aggregates");
            if (!UdpTestSender.alive(job)) {
                job.getJobExecutionResult().get(); // throws with the reason the restore failed
            }
            // The closers' own window is emitted by the drain; after it nothing more comes.
            LocalStores.drain(job, dir);
            drained = true;

            Map<String, Double> percentiles = new TreeMap<>();
            List<String> exact = new java.util.ArrayList<>();
            List<String> closers = new java.util.ArrayList<>();
            for (WindowAggregate a : aggregates.received()) {
                if (a.metric.equals("closer")) {
                    closers.add(
                            a.function
                                    + " @"
                                    + (a.windowStart - WINDOW) / 1_000
                                    + "s = "
                                    + a.value
                                    + " x"
                                    + a.count);
                    continue;
                }
                String series =
                        a.metric
                                + " "
                                + a.source
                                + " "
                                + a.tags
                                + " "
                                + a.function
                                + " @"
                                + (a.windowStart - WINDOW) / 1_000
                                + "s";
                assertThat(a.windowEnd).isEqualTo(a.windowStart + 60_000);
                if (a.function.startsWith("p")) {
                    percentiles.put(series + " x" + a.count, a.value);
                } else {
                    exact.add(series + " = " + a.value + " x" + a.count);
                }
            }
            String gpu = "temperature gpu-001 {\"site\":\"lab\"} ";
            assertThat(exact)
                    .containsExactlyInAnyOrder(
                            gpu + "avg @0s = 30.0 x5",
                            gpu + "sum @0s = 150.0 x5",
                            gpu + "min @0s = 10.0 x5",
                            gpu + "max @0s = 50.0 x5",
                            gpu + "count @0s = 5.0 x5",
                            gpu + "first @0s = 10.0 x5",
                            gpu + "last @0s = 50.0 x5",
                            gpu + "stddev @0s = " + Math.sqrt(200) + " x5",
                            gpu + "count_distinct @0s = 5.0 x5",
                            gpu + "avg @60s = 60.0 x1",
                            gpu + "sum @60s = 60.0 x1",
                            gpu + "min @60s = 60.0 x1",
                            gpu + "max @60s = 60.0 x1",
                            gpu + "count @60s = 1.0 x1",
                            gpu + "first @60s = 60.0 x1",
                            gpu + "last @60s = 60.0 x1",
                            gpu + "stddev @60s = 0.0 x1",
                            gpu + "count_distinct @60s = 1.0 x1",
                            "alt d-17 {} avg @0s = 120.5 x1",
                            "battery d-17 {} avg @0s = 87.0 x1",
                            "cpu.usage h1 {} avg @0s = 1.5 x1",
                            "cpu.idle h1 {} avg @0s = 3.0 x1",
                            "hits h1 {} sum @0s = 2.0 x1",
                            "users h1 {} count_distinct @0s = 2.0 x3");
            // Nearest-rank percentiles (rank q * n rounded half up), within 1% relative accuracy:
            // the p50 of five values is the third, the p99 the fifth.
            assertThat(percentiles.keySet())
                    .containsExactly(
                            gpu + "p50 @0s x5",
                            gpu + "p50 @60s x1",
                            gpu + "p99 @0s x5",
                            gpu + "p99 @60s x1");
            assertThat(percentiles.get(gpu + "p50 @0s x5")).isCloseTo(30.0, within(0.3));
            assertThat(percentiles.get(gpu + "p99 @0s x5")).isCloseTo(50.0, within(0.5));
            assertThat(percentiles.get(gpu + "p50 @60s x1")).isCloseTo(60.0, within(0.6));
            assertThat(percentiles.get(gpu + "p99 @60s x1")).isCloseTo(60.0, within(0.6));
            assertThat(closers).containsExactly("sum @120s = 16.0 x16");
            assertThat(deadLetters.received()).isEmpty();
        } finally {
            reserved.close();
            if (!drained && UdpTestSender.alive(job)) {
                job.cancel().get();
            }
        }
    }
}
