package io.telemetry.aggregator.job;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpointing the job's guarantees rest on, applied where neither the job's own settings nor
 * the cluster's configuration say anything: a data engineer sets checkpointing once for the
 * cluster, and the job must not override it with defaults of its own.
 *
 * <p>The window state, the Kafka transactions and the recovery of every sink need checkpoints in
 * durable storage. Without {@code execution.checkpointing.dir} Flink keeps them in the JobManager's
 * memory (5 MB), which fails every checkpoint of a large window and restarts the job in a loop, so
 * the job refuses to start on a cluster without one. A local run on this machine gets a local
 * directory instead, with a warning.
 */
final class CheckpointDefaults {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointDefaults.class);

    /** Checkpoint interval when neither the job nor the cluster sets one. */
    static final Duration INTERVAL = Duration.ofSeconds(10);

    /**
     * Consecutive failed checkpoints tolerated before the job restarts, when neither the job nor
     * the cluster sets it: one slow checkpoint must not cost a restart (and, with a UDP source,
     * what was received since the last completed checkpoint).
     */
    static final int TOLERABLE_FAILURES = 2;

    /**
     * Where a local run keeps its checkpoints unless execution.checkpointing.dir says otherwise.
     */
    static final String LOCAL_DIRECTORY = "file:///tmp/telemetry-aggregator/local-checkpoints";

    private CheckpointDefaults() {}

    /**
     * The execution environment for the job's settings: the cluster's when the job was submitted to
     * one, else a local one, which gets {@link #LOCAL_DIRECTORY} when no checkpoint directory is
     * configured.
     */
    static StreamExecutionEnvironment environment(Configuration jobConfig) {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(jobConfig);
        if (env instanceof LocalStreamEnvironment) {
            Optional<Configuration> withDirectory = withLocalDirectory(jobConfig);
            if (withDirectory.isPresent()) {
                env = StreamExecutionEnvironment.getExecutionEnvironment(withDirectory.get());
            }
        }
        return env;
    }

    /**
     * For a local run: the settings with {@link #LOCAL_DIRECTORY} when they name no checkpoint
     * storage (logged as one warning), else empty.
     */
    static Optional<Configuration> withLocalDirectory(Configuration config) {
        if (!inJobManagerMemory(config)) {
            return Optional.empty();
        }
        LOG.warn(
                "{} is not set: this local run keeps its checkpoints in {}",
                CheckpointingOptions.CHECKPOINTS_DIRECTORY.key(),
                LOCAL_DIRECTORY);
        Configuration withDirectory = new Configuration(config);
        withDirectory.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, LOCAL_DIRECTORY);
        return Optional.of(withDirectory);
    }

    /**
     * Applies the defaults to the environment where its configuration (the cluster's merged with
     * the job's) has no value, and returns that effective configuration with the job's settings.
     *
     * @throws InvalidSettingException when checkpoints would be kept in the JobManager's memory
     */
    static Configuration apply(StreamExecutionEnvironment env, Configuration jobConfig) {
        Configuration effective = Configuration.fromMap(env.getConfiguration().toMap());
        effective.addAll(jobConfig);
        if (inJobManagerMemory(effective)) {
            throw new InvalidSettingException(
                    CheckpointingOptions.CHECKPOINTS_DIRECTORY.key()
                            + " is not set: the job needs durable checkpoint storage (its windows,"
                            + " the Kafka transactions and recovery depend on it), not the"
                            + " JobManager's memory; set it in the cluster's configuration or as"
                            + " --"
                            + CheckpointingOptions.CHECKPOINTS_DIRECTORY.key()
                            + " file:///… or s3://…");
        }
        Duration interval =
                effective.getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL).orElse(null);
        if (interval == null) {
            interval = INTERVAL;
            env.enableCheckpointing(interval.toMillis());
            effective.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, interval);
        }
        if (effective.getOptional(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER).isEmpty()) {
            env.getCheckpointConfig().setTolerableCheckpointFailureNumber(TOLERABLE_FAILURES);
            effective.set(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER, TOLERABLE_FAILURES);
        }
        LOG.info(
                "Checkpoints every {} in {}, {} consecutive failures tolerated",
                interval,
                effective.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY),
                effective.get(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER));
        return effective;
    }

    /**
     * Whether checkpoints would be kept in the JobManager's memory: no directory and no storage
     * chosen, or the {@code jobmanager} storage chosen.
     */
    static boolean inJobManagerMemory(ReadableConfig config) {
        Optional<String> storage = config.getOptional(CheckpointingOptions.CHECKPOINT_STORAGE);
        if (storage.isPresent()) {
            return storage.get().trim().toLowerCase(Locale.ROOT).equals("jobmanager");
        }
        return config.getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY).isEmpty();
    }
}
