package io.telemetry.aggregator.tools;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetry.aggregator.operators.OperatorNames;
import io.telemetry.aggregator.services.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job (as {@code bin/run-local} runs it) against the load generator in every format, with
 * out-of-order, malformed and late records: every aggregate exactly what the generator expects, and
 * every malformed and late record counted as a dead letter. Then the benchmark's quick run, so that
 * the benchmark command keeps working.
 */
class LoadGeneratorExactnessITCase {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir Path dir;

    @Test
    void theJobsAggregatesAreExactlyWhatTheGeneratorSent() throws Exception {
        List<String> settings =
                List.of(
                        "--window.size",
                        "2s",
                        "--window.out-of-orderness",
                        "1s",
                        "--window.idle-timeout",
                        "1s",
                        "--metrics.fetcher.update-interval",
                        "500ms");
        try (JobProcess job = JobProcess.start(ROOT, dir.resolve("job"), "1g", 2, settings)) {
            Map<String, LoadGenerator.Expected> expected = new HashMap<>();
            long malformed = 0;
            long late = 0;
            for (String format : List.of("statsd", "json", "drone", "gpu", "line")) {
                LoadGenerator.Settings s = new LoadGenerator.Settings();
                s.port = job.udpPort;
                s.format = LoadGenerator.Format.of(format);
                s.rate = 400;
                s.seconds = 2.5;
                s.recordsPerDatagram = 4;
                s.series = 20;
                s.statsdTimestamps = true;
                s.jitterMillis = format.equals("statsd") ? 0 : 800;
                s.malformedShare = 0.02;
                s.lateShare = 0.02;
                s.windowMillis = 2_000;
                s.prefix = "x" + format + ".";
                LoadGenerator generator = new LoadGenerator(s);
                LoadGenerator.Report report = generator.run();
                expected.putAll(generator.expected());
                malformed += report.malformed;
                late += report.late;
            }
            assertThat(malformed).isPositive();
            assertThat(late).isPositive();

            Await.until(
                    () -> AggregateCheck.compare(job.aggregates, expected, "x").exact(),
                    Duration.ofSeconds(60),
                    () -> AggregateCheck.compare(job.aggregates, expected, "x").toString());
            assertThat(AggregateCheck.compare(job.aggregates, expected, "x").toString())
                    .startsWith("exact: " + expected.size() + " of " + expected.size());
            assertThat(
                            job.metric(
                                    OperatorNames.SOURCE_VERTEX,
                                    OperatorNames.metric(OperatorNames.UDP_SOURCE, "kernel_drops")))
                    .isZero();
            // The REST API's metrics are fetched every 500 ms: wait until they show everything.
            long expectedMalformed = malformed;
            long expectedLate = late;
            Await.until(
                    () -> malformed(job) == expectedMalformed && late(job) == expectedLate,
                    Duration.ofSeconds(30),
                    () -> "malformed " + malformed(job) + ", late " + late(job));
            assertThat(malformed(job)).isEqualTo(malformed);
            assertThat(late(job)).isEqualTo(late);
        }
    }

    @Test
    void theBenchmarksQuickRunWorks() throws Exception {
        assertThat(Benchmark.run(ROOT, new String[] {"--quick"})).isZero();
    }

    private static double malformed(JobProcess job) throws Exception {
        return job.metric(
                OperatorNames.SOURCE_VERTEX,
                OperatorNames.metric(OperatorNames.PARSE, "reason.malformed.failed_events_count"));
    }

    private static double late(JobProcess job) throws Exception {
        return job.metric(
                OperatorNames.WINDOW_VERTEX,
                OperatorNames.metric(OperatorNames.LATE_DEAD_LETTERS, "records_late"));
    }
}
