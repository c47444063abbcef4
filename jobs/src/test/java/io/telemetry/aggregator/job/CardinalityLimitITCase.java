package io.telemetry.aggregator.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetry.aggregator.operators.DeadLetter;
import io.telemetry.aggregator.operators.OperatorNames;
import io.telemetry.aggregator.operators.WindowAggregate;
import io.telemetry.aggregator.operators.WindowOptions;
import io.telemetry.aggregator.services.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A source that floods the job with new series (a request id in the metric name) beside
 * well-behaved sources, over real UDP: the well-behaved series are exact, the flood keeps exactly
 * its limit of series, and every refused record is counted.
 */
class CardinalityLimitITCase {

    static final JobMetrics METRICS = new JobMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setConfiguration(METRICS.clusterConfiguration())
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .build());

    @Test
    void aFloodOfNewSeriesCostsOnlyTheFloodersSeries() throws Exception {
        Configuration config = new Configuration();
        config.set(WindowOptions.WINDOW_SIZE, Duration.ofSeconds(2));
        config.set(WindowOptions.OUT_OF_ORDERNESS, Duration.ofMillis(500));
        config.set(WindowOptions.IDLE_TIMEOUT, Duration.ofSeconds(1));
        config.set(WindowOptions.MAX_SERIES_PER_SOURCE, 20);
        try (CollectingJob started = CollectingJob.start(config, 1, "cardinality-limit")) {
            int port = started.port;
            JobClient job = started.job;
            CollectingSink<WindowAggregate> aggregates = started.aggregates;
            CollectingSink<DeadLetter> deadLetters = started.deadLetters;
            // An hour ago, aligned to the 2 s windows: one window holds all of it.
            long b = (System.currentTimeMillis() / 2_000 - 1_800) * 2_000;
            long sec = b / 1_000;
            try (UdpTestSender s = new UdpTestSender(port)) {
                for (int round = 0; round < 5; round++) {
                    List<String> lines = new ArrayList<>();
                    for (int c = 0; c < 10; c++) {
                        lines.add("calm:1|c|#host:calm-" + c + "|T" + sec);
                    }
                    for (int i = 0; i < 100; i++) {
                        lines.add("req." + (round * 100 + i) + ":1|c|#host:flood|T" + sec);
                    }
                    for (int i = 0; i < lines.size(); i += 10) {
                        s.send(String.join("\n", lines.subList(i, i + 10)));
                    }
                }
                s.send("closer:1|c|#host:calm-0|T" + (sec + 10)); // closes the window
            }
            Await.until(
                    () ->
                            aggregates.received().size() >= 30
                                    && deadLetters.received().size() >= 100,
                    Duration.ofSeconds(60),
                    () -> aggregates.received().size() + " aggregates");
            Await.until(
                    () ->
                            METRICS.sum(
                                            job.getJobID(),
                                            OperatorNames.SERIES_ADMISSION,
                                            "failed_events_count")
                                    >= 480,
                    Duration.ofSeconds(30),
                    () ->
                            "refused "
                                    + METRICS.sum(
                                            job.getJobID(),
                                            OperatorNames.SERIES_ADMISSION,
                                            "failed_events_count"));

            List<WindowAggregate> window =
                    aggregates.received().stream()
                            .filter(a -> a.windowStart == b)
                            .collect(Collectors.toList());
            assertThat(window.stream().filter(a -> a.metric.equals("calm")))
                    .extracting(a -> a.source + " " + a.value + " x" + a.count)
                    .containsExactlyInAnyOrder(
                            "calm-0 5.0 x5",
                            "calm-1 5.0 x5",
                            "calm-2 5.0 x5",
                            "calm-3 5.0 x5",
                            "calm-4 5.0 x5",
                            "calm-5 5.0 x5",
                            "calm-6 5.0 x5",
                            "calm-7 5.0 x5",
                            "calm-8 5.0 x5",
                            "calm-9 5.0 x5");
            // The flooder keeps its first 20 series, each exact.
            assertThat(window.stream().filter(a -> a.source.equals("flood")))
                    .hasSize(20)
                    .allSatisfy(a -> assertThat(a.value).isEqualTo(1.0));
            assertThat(window).hasSize(30);
            assertThat(
                            METRICS.sum(
                                    job.getJobID(),
                                    OperatorNames.SERIES_ADMISSION,
                                    "failed_events_count"))
                    .isEqualTo(480);
            assertThat(
                            METRICS.sum(
                                    job.getJobID(),
                                    OperatorNames.SERIES_ADMISSION,
                                    "refused_records"))
                    .isEqualTo(480);
            // 100 dead letters for the window; the other 380 refused records are counted only.
            assertThat(deadLetters.received())
                    .hasSize(100)
                    .allSatisfy(
                            d -> {
                                assertThat(d.reason).isEqualTo(DeadLetter.CARDINALITY_LIMIT);
                                assertThat(d.detail)
                                        .startsWith(
                                                "source flood has 20 series, the limit"
                                                        + " window.max-series-per-source");
                            });
        }
    }
}
