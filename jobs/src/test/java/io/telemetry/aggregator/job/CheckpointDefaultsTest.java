package io.telemetry.aggregator.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * The job's checkpoint defaults apply only where neither the job's settings nor the cluster's
 * configuration set a value, and checkpoints in the JobManager's memory stop the job at start. The
 * environment stands for a cluster's: Flink hands the job one whose configuration is the cluster's
 * with the job's settings over it.
 */
class CheckpointDefaultsTest {

    private static final String DIR = "file:///var/lib/flink/checkpoints";

    private static StreamExecutionEnvironment cluster(
            Map<String, String> cluster, Configuration job) {
        Configuration merged = Configuration.fromMap(cluster);
        merged.addAll(job);
        return new StreamExecutionEnvironment(merged);
    }

    @Test
    void theClustersIntervalWinsOverTheJobsDefault() {
        StreamExecutionEnvironment env =
                cluster(
                        Map.of(
                                "execution.checkpointing.interval",
                                "5 s",
                                "execution.checkpointing.dir",
                                DIR),
                        new Configuration());
        Configuration effective = CheckpointDefaults.apply(env, new Configuration());
        assertThat(effective.get(CheckpointingOptions.CHECKPOINTING_INTERVAL))
                .isEqualTo(Duration.ofSeconds(5));
        assertThat(env.getCheckpointConfig().getCheckpointInterval()).isEqualTo(5_000);
    }

    @Test
    void theJobsSettingWinsOverTheClusters() {
        Configuration job = new Configuration();
        job.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(2));
        job.set(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER, 7);
        StreamExecutionEnvironment env =
                cluster(
                        Map.of(
                                "execution.checkpointing.interval",
                                "5 s",
                                "execution.checkpointing.tolerable-failed-checkpoints",
                                "1",
                                "execution.checkpointing.dir",
                                DIR),
                        job);
        Configuration effective = CheckpointDefaults.apply(env, job);
        assertThat(effective.get(CheckpointingOptions.CHECKPOINTING_INTERVAL))
                .isEqualTo(Duration.ofSeconds(2));
        assertThat(env.getCheckpointConfig().getCheckpointInterval()).isEqualTo(2_000);
        assertThat(env.getCheckpointConfig().getTolerableCheckpointFailureNumber()).isEqualTo(7);
    }

    @Test
    void theJobsDefaultsApplyWhereNobodySaysAnything() {
        StreamExecutionEnvironment env =
                cluster(Map.of("execution.checkpointing.dir", DIR), new Configuration());
        Configuration effective = CheckpointDefaults.apply(env, new Configuration());
        assertThat(effective.get(CheckpointingOptions.CHECKPOINTING_INTERVAL))
                .isEqualTo(Duration.ofSeconds(10));
        assertThat(env.getCheckpointConfig().getCheckpointInterval()).isEqualTo(10_000);
        assertThat(env.getCheckpointConfig().getTolerableCheckpointFailureNumber()).isEqualTo(2);
        assertThat(effective.get(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER)).isEqualTo(2);
    }

    @Test
    void theClustersToleranceWinsOverTheJobsDefault() {
        StreamExecutionEnvironment env =
                cluster(
                        Map.of(
                                "execution.checkpointing.tolerable-failed-checkpoints",
                                "4",
                                "execution.checkpointing.dir",
                                DIR),
                        new Configuration());
        CheckpointDefaults.apply(env, new Configuration());
        assertThat(env.getCheckpointConfig().getTolerableCheckpointFailureNumber()).isEqualTo(4);
    }

    @Test
    void checkpointsInTheJobManagersMemoryStopTheJobWithOneLine() {
        String expected =
                "execution.checkpointing.dir is not set: the job needs durable checkpoint storage (its"
                        + " windows, the Kafka transactions and recovery depend on it), not the"
                        + " JobManager's memory; set it in the cluster's configuration or as"
                        + " --execution.checkpointing.dir file:///… or s3://…";
        assertThatThrownBy(
                        () ->
                                CheckpointDefaults.apply(
                                        cluster(Map.of(), new Configuration()),
                                        new Configuration()))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage(expected);
        assertThatThrownBy(
                        () ->
                                CheckpointDefaults.apply(
                                        cluster(
                                                Map.of(
                                                        "execution.checkpointing.storage",
                                                        "jobmanager",
                                                        "execution.checkpointing.dir",
                                                        DIR),
                                                new Configuration()),
                                        new Configuration()))
                .hasMessage(expected);
    }

    @Test
    void aLocalRunGetsALocalDirectoryUnlessOneIsSet() {
        Configuration none = new Configuration();
        assertThat(CheckpointDefaults.withLocalDirectory(none))
                .hasValueSatisfying(
                        c ->
                                assertThat(c.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY))
                                        .isEqualTo(
                                                "file:///tmp/telemetry-aggregator/local-checkpoints"));
        Configuration set = new Configuration();
        set.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, DIR);
        assertThat(CheckpointDefaults.withLocalDirectory(set)).isEmpty();
        // The job's main class run on its own: a local environment with the local directory.
        StreamExecutionEnvironment env = CheckpointDefaults.environment(new Configuration());
        assertThat(
                        CheckpointDefaults.apply(env, new Configuration())
                                .get(CheckpointingOptions.CHECKPOINTS_DIRECTORY))
                .isEqualTo("file:///tmp/telemetry-aggregator/local-checkpoints");
    }
}
