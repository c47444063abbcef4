package io.telemetry.aggregator.job;

import io.telemetry.aggregator.operators.DeadLetter;
import io.telemetry.aggregator.operators.WindowAggregate;
import io.telemetry.aggregator.services.UdpPortReservation;
import io.telemetry.aggregator.udp.UdpSource;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The whole job on the test's MiniCluster, reading a UDP port of 127.0.0.1 held for it until its
 * readers bound it, its aggregates and dead letters kept in memory. Closing it cancels the job.
 */
final class CollectingJob implements AutoCloseable {

    final int port;
    final JobClient job;
    final CollectingSink<WindowAggregate> aggregates = new CollectingSink<>();
    final CollectingSink<DeadLetter> deadLetters = new CollectingSink<>();

    private CollectingJob(Configuration config, int parallelism, String name) throws Exception {
        try (UdpPortReservation reserved = UdpTestSender.reservePort()) {
            port = reserved.port();
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(parallelism);
            TelemetryAggregatorJob.Outputs outputs =
                    TelemetryAggregatorJob.build(
                            env,
                            config,
                            UdpSource.builder().setBindAddress("127.0.0.1").setPort(port).build());
            outputs.aggregates.sinkTo(aggregates).name("collect aggregates").uid("test-aggregates");
            outputs.deadLetters
                    .sinkTo(deadLetters)
                    .name("collect dead letters")
                    .uid("test-dead-letters");
            job = env.executeAsync(name);
            reserved.awaitJobSockets(
                    parallelism, Duration.ofSeconds(60), () -> UdpTestSender.alive(job));
        }
    }

    /** Starts the job with these settings and waits until its readers have bound the port. */
    static CollectingJob start(Configuration config, int parallelism, String name)
            throws Exception {
        return new CollectingJob(config, parallelism, name);
    }

    @Override
    public void close() throws Exception {
        job.cancel().get();
    }
}
