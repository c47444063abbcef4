package io.telemetry.aggregator.sinks;

import io.telemetry.aggregator.operators.WindowAggregate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** Aggregates that exercise every sink, and a small bounded job that writes them. */
public final class SinkTestData {

    /** 2026-11-23T10:30:00Z. */
    public static final long T0 = 1_795_429_800_000L;

    public static final WindowAggregate PLAIN =
            new WindowAggregate(
                    "temperature",
                    "gpu-001",
                    "{\"hostname\":\"worker-1\",\"site\":\"lab\"}",
                    "avg",
                    T0,
                    T0 + 60_000,
                    74.9,
                    12,
                    0);

    /** Spaces, commas, '=', quotes, backslashes, a line break and non-ASCII in every name. */
    public static final WindowAggregate AWKWARD =
            new WindowAggregate(
                    "cpu load,\"x\"=1 \\ ü✓",
                    "dev 1,=\\\"",
                    "{\"a b,c=d\":\"e,f=g \\\"h\\\" \\\\ i\\nj ñ\",\"z\":\"日本\"}",
                    "p99",
                    T0,
                    T0 + 60_000,
                    1.5,
                    3,
                    0);

    /** {@link #PLAIN} emitted again after a late record: same series and window, new result. */
    public static final WindowAggregate PLAIN_AGAIN =
            new WindowAggregate(
                    "temperature",
                    "gpu-001",
                    "{\"hostname\":\"worker-1\",\"site\":\"lab\"}",
                    "avg",
                    T0,
                    T0 + 60_000,
                    75.25,
                    13,
                    0);

    public static final List<WindowAggregate> ALL = List.of(PLAIN, AWKWARD, PLAIN_AGAIN);

    private SinkTestData() {}

    /** Writes the aggregates, in order, through the sink in a bounded job with checkpoints. */
    public static void write(Sink<WindowAggregate> sink, List<WindowAggregate> aggregates)
            throws Exception {
        write(sink, aggregates, new Configuration());
    }

    /** A local cluster of one slot whose reporter keeps the writers' metrics after the jobs end. */
    public static MiniClusterExtension clusterWithReporter(InMemoryReporter reporter) {
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setConfiguration(reporter.addToConfiguration(new Configuration()))
                        .setNumberTaskManagers(1)
                        .setNumberSlotsPerTaskManager(1)
                        .build());
    }

    /** The sum of a job's counters of that name, as the cluster's in-memory reporter kept them. */
    public static long counter(InMemoryReporter reporter, JobExecutionResult job, String name) {
        long sum = 0;
        for (Map.Entry<String, Metric> e : reporter.findMetrics(job.getJobID(), name).entrySet()) {
            if (e.getKey().endsWith("." + name) && e.getValue() instanceof Counter) {
                sum += ((Counter) e.getValue()).getCount();
            }
        }
        return sum;
    }

    /** {@link #write(Sink, List)} on a local cluster with more settings (a metric reporter). */
    public static JobExecutionResult write(
            Sink<WindowAggregate> sink, List<WindowAggregate> aggregates, Configuration cluster)
            throws Exception {
        Configuration config = new Configuration(cluster);
        config.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(300));
        // A sink that fails must fail the test, not restart forever.
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(1);
        env.fromData(aggregates, TypeInformation.of(WindowAggregate.class))
                .sinkTo(sink)
                .name("sink under test")
                .uid("sink-under-test");
        return env.execute("sink test");
    }
}
