package io.telemetry.aggregator.job;

import io.telemetry.aggregator.operators.aggregate.WindowSettings;
import io.telemetry.aggregator.operators.parse.ParseSettings;
import io.telemetry.aggregator.udp.UdpSource;
import org.apache.flink.configuration.Configuration;

/**
 * What the settings describe, each built and checked once from the job's effective configuration
 * (the job's settings over the cluster's, with the checkpoint defaults applied): the source, the
 * parse and window settings, the sinks.
 */
final class JobParts {

    final UdpSource source;
    final ParseSettings parse;
    final WindowSettings window;
    final JobSinks sinks;

    private JobParts(UdpSource source, ParseSettings parse, WindowSettings window, JobSinks sinks) {
        this.source = source;
        this.parse = parse;
        this.window = window;
        this.sinks = sinks;
    }

    /**
     * Builds every part.
     *
     * @throws InvalidSettingException one line naming the setting that is missing or wrong
     */
    static JobParts from(Configuration config) {
        try {
            return new JobParts(
                    UdpSource.builder().setConfiguration(config).build(),
                    ParseSettings.from(config),
                    WindowSettings.from(config),
                    JobSinks.from(config));
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(e.getMessage(), e);
        }
    }
}
