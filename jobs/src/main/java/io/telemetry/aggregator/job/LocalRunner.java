package io.telemetry.aggregator.job;

import io.telemetry.aggregator.udp.UdpSourceOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Runs the job on this machine in a local Flink MiniCluster with the web UI (port 8081 unless
 * {@code rest.port} says otherwise). A bad setting prints one line and exits with status 2.
 */
public final class LocalRunner {

    private LocalRunner() {}

    public static void main(String[] args) throws Exception {
        JobConfiguration.Loaded loaded;
        try {
            loaded = JobConfiguration.load(args, System.getenv());
        } catch (InvalidSettingException e) {
            System.err.println("telemetry-aggregator: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (loaded.helpRequested) {
            System.out.println(SettingsHelp.help());
            return;
        }
        Configuration config =
                CheckpointDefaults.withLocalDirectory(loaded.config).orElse(loaded.config);
        if (!config.contains(RestOptions.PORT)) {
            config.set(RestOptions.PORT, 8081);
        }
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(config);
        System.out.printf(
                "telemetry-aggregator: web UI http://localhost:%d, UDP on %s:%d%n",
                config.get(RestOptions.PORT),
                config.get(UdpSourceOptions.BIND_ADDRESS),
                config.get(UdpSourceOptions.PORT));
        try {
            TelemetryAggregatorJob.run(env, config);
        } catch (IllegalStateException | InvalidSettingException e) {
            // A store that is not ready or does not match: one line, not a stack trace.
            System.err.println("telemetry-aggregator: " + e.getMessage());
            System.exit(2);
        }
    }
}
