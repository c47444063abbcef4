package io.telemetry.aggregator.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetry.aggregator.operators.DeadLetter;
import io.telemetry.aggregator.operators.WindowAggregate;
import io.telemetry.aggregator.operators.WindowOptions;
import io.telemetry.aggregator.services.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole job on a MiniCluster with two UDP readers sharing one port: real datagrams in all three
 * formats, exact aggregates and dead letters out.
 */
class TelemetryAggregatorJobITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static WindowAggregate agg(
            String metric, String source, String f, long start, double value, long count) {
        return new WindowAggregate(metric, source, "{}", f, start, start + 2_000, value, count, 0);
    }

    @Test
    void aggregatesRealUdpTrafficExactly() throws Exception {
        Configuration config = new Configuration();
        config.set(WindowOptions.WINDOW_SIZE, Duration.ofSeconds(2));
        config.set(WindowOptions.OUT_OF_ORDERNESS, Duration.ofSeconds(1));
        config.set(WindowOptions.IDLE_TIMEOUT, Duration.ofSeconds(1));
        try (CollectingJob job = CollectingJob.start(config, 2, "telemetry-aggregator-itcase")) {
            int port = job.port;
            CollectingSink<WindowAggregate> aggregates = job.aggregates;
            CollectingSink<DeadLetter> deadLetters = job.deadLetters;
            // An hour ago, aligned to the 2 s windows: old data keeps its event time.
            long b = (System.currentTimeMillis() / 2_000 - 1_800) * 2_000;
            long sec = b / 1000;

            try (UdpTestSender s = new UdpTestSender(port)) {
                s.send(
                        json("temp", 10, b + 100, "[\"avg\",\"max\"]")
                                + "\n"
                                + json("temp", 20, b + 500, "[\"avg\",\"max\"]")
                                + "\n{\"metric\": broken\n");
                s.send(
                        "cpu,host=h1 value=5 "
                                + (b + 200) * 1_000_000
                                + "\ncpu,host=h1 value=7 "
                                + (b + 1_500) * 1_000_000
                                + "\n");
                s.send("hits:1|c|#host:h2|T" + sec + "\nhits:2|c|@0.5|#host:h2|T" + sec);
                s.send(json("temp", 30, b + 2_500, null));
                s.send(json("temp", 40, b + 1_800, "\"avg\"")); // out of order, within the bound
                s.send(json("temp", 1, b + 5_000, null)); // closes the first two windows

                await(() -> aggregates.received().size() >= 5, "the first two windows");
                s.send(json("temp", 99, b + 100, null)); // beyond the bound: late
                await(() -> deadLetters.received().size() >= 2, "the late record");

                // Traffic stops: the open window is emitted without any newer event.
                await(
                        () -> aggregates.received().size() >= 6,
                        "the window left open when traffic stopped");

                assertThat(aggregates.received())
                        .containsExactlyInAnyOrder(
                                agg("temp", "d1", "avg", b, (10 + 20 + 40) / 3.0, 3),
                                agg("temp", "d1", "max", b, 20, 2),
                                agg("cpu", "h1", "avg", b, 6, 2),
                                agg("hits", "h2", "sum", b, 5, 2),
                                agg("temp", "d1", "avg", b + 2_000, 30, 1),
                                agg("temp", "d1", "avg", b + 4_000, 1, 1));
                List<String> dead = new ArrayList<>();
                for (DeadLetter d : deadLetters.received()) {
                    dead.add(d.reason + " " + d.sender + " " + d.record);
                }
                assertThat(dead)
                        .containsExactlyInAnyOrder(
                                "malformed " + s.address() + " {\"metric\": broken",
                                "late  {\"metric\":\"temp\",\"source\":\"d1\",\"tags\":{},\"function\":\"avg\",\"value\":99.0,\"time\":\""
                                        + java.time.Instant.ofEpochMilli(b + 100)
                                        + "\"}");
            }

            // Many senders: the kernel spreads them over both readers; the sum stays exact.
            long later = b + 10_000;
            List<UdpTestSender> senders = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                senders.add(new UdpTestSender(port));
            }
            for (int round = 0; round < 5; round++) {
                for (UdpTestSender s : senders) {
                    s.send("spread:1|c|#host:h3|T" + later / 1000);
                }
            }
            for (UdpTestSender s : senders) {
                s.close();
            }
            await(() -> aggregates.received().size() >= 7, "the window of the many senders");
            assertThat(aggregates.received()).contains(agg("spread", "h3", "sum", later, 80, 80));
            assertThat(aggregates.received()).hasSize(7);
        }
    }

    private static String json(String metric, double value, long ts, String function) {
        return "{\"metric\":\""
                + metric
                + "\",\"value\":"
                + value
                + ",\"ts\":"
                + ts
                + ",\"device_id\":\"d1\""
                + (function == null ? "" : ",\"function\":" + function)
                + "}";
    }

    private static void await(Await.Condition condition, String what) throws Exception {
        Await.until(condition, TIMEOUT, () -> "still waiting for " + what);
    }
}
