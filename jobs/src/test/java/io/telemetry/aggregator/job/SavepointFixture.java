package io.telemetry.aggregator.job;

import io.telemetry.aggregator.operators.OperatorNames;
import io.telemetry.aggregator.operators.WindowOptions;
import io.telemetry.aggregator.services.Await;
import io.telemetry.aggregator.services.UdpPortReservation;
import io.telemetry.aggregator.udp.UdpSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The savepoint kept under {@code src/test/resources/savepoints/}: the job as production wires it
 * (log sinks, default window settings, parallelism 2), stopped with a savepoint while two windows
 * are open. {@link SavepointFixtureITCase} restores it with the current code; a change that cannot
 * restore it fails the build.
 *
 * <p>Write a new fixture when a release changes the layout of the state (a new serializer version),
 * and keep restoring the older ones: {@code bin/write-savepoint-fixture <version>}.
 */
final class SavepointFixture {

    /** The version whose savepoint {@link #main} writes. */
    static final String VERSION = "0.3.0";

    /**
     * Every fixture the tests restore: 0.1.0 (UDP splits without a journal), 0.2.0 (splits with
     * their journal's name, position and carried datagrams), 0.3.0 (the window operator with one
     * timer per window: no timers per series, the watermark up to which windows fired).
     */
    static final List<String> RESTORED = List.of("0.1.0", "0.2.0", "0.3.0");

    /** Start of the window the fixture leaves open: 2026-01-01T00:00:00Z, window size 1 min. */
    static final long WINDOW = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

    /**
     * The datagrams in the savepoint's state: every format and many functions, in two open windows.
     */
    static final List<String> DATAGRAMS =
            List.of(
                    gpu(10, WINDOW + 1_000) + "\n" + gpu(20, WINDOW + 2_000),
                    gpu(30, WINDOW + 3_000) + "\n" + gpu(40, WINDOW + 4_000),
                    "{\"drone_id\":\"d-17\",\"ts\":"
                            + (WINDOW + 5_000)
                            + ",\"alt\":120.5,\"battery\":87}",
                    "cpu,host=h1 usage=1.5,idle=3i " + (WINDOW + 6_000) * 1_000_000,
                    "hits:1|c|@0.5|#host:h1|T"
                            + (WINDOW + 7_000) / 1_000
                            + "\nusers:alice|s|#host:h1|T"
                            + (WINDOW + 7_000) / 1_000
                            + "\nusers:bob|s|#host:h1|T"
                            + (WINDOW + 8_000) / 1_000
                            + "\nusers:alice|s|#host:h1|T"
                            + (WINDOW + 9_000) / 1_000,
                    // The next window: the watermark stays at its start - 3 s, so both stay open.
                    gpu(60, WINDOW + 62_000));

    static final String FUNCTIONS =
            "[\"avg\",\"sum\",\"min\",\"max\",\"count\",\"first\",\"last\",\"stddev\",\"count_distinct\",\"p50\",\"p99\"]";

    private SavepointFixture() {}

    static String gpu(double value, long ts) {
        return "{\"metric\":\"temperature\",\"value\":"
                + value
                + ",\"ts\":"
                + ts
                + ",\"device_id\":\"gpu-001\",\"site\":\"lab\",\"function\":"
                + FUNCTIONS
                + "}";
    }

    /** The settings the fixture was written with; the windows' settings are the defaults. */
    static Configuration config() {
        Configuration config = new Configuration();
        config.setString(JobOptions.SINKS.key(), "log");
        return config;
    }

    /** Writes the fixture: {@code SavepointFixture <directory>} (the directory must not exist). */
    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: SavepointFixture <directory for the savepoint>");
            System.exit(2);
        }
        Path target = Path.of(args[0]).toAbsolutePath();
        if (Files.exists(target)) {
            System.err.println(target + " exists; remove it first");
            System.exit(2);
        }
        Configuration config = config();
        // No window closes on its own while the fixture is written.
        config.set(WindowOptions.IDLE_TIMEOUT, Duration.ofHours(1));
        JobMetrics metrics = new JobMetrics();
        config.addAll(metrics.clusterConfiguration());
        UdpPortReservation reserved = UdpTestSender.reservePort();
        int port = reserved.port();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(2);
        JobSinks sinks = JobSinks.from(config);
        TelemetryAggregatorJob.Outputs outputs =
                TelemetryAggregatorJob.build(
                        env,
                        config,
                        UdpSource.builder()
                                .setBindAddress("127.0.0.1")
                                .setPort(port)
                                .setJournalDirectory(
                                        Files.createTempDirectory("fixture-journal").toString())
                                .build());
        sinks.attach(outputs);
        JobClient job = env.executeAsync("telemetry-aggregator savepoint fixture");
        reserved.awaitJobSockets(2, Duration.ofSeconds(60), () -> UdpTestSender.alive(job));
        try (UdpTestSender sender = new UdpTestSender(port)) {
            for (String datagram : DATAGRAMS) {
                sender.send(datagram);
            }
        }
        // Every record parsed is before the savepoint's barrier, so in the window state.
        long records = DATAGRAMS.stream().mapToLong(d -> d.split("\n").length).sum();
        Await.until(
                () -> metrics.sum(job.getJobID(), OperatorNames.PARSE, "records_parsed") >= records,
                Duration.ofSeconds(60),
                () ->
                        metrics.sum(job.getJobID(), OperatorNames.PARSE, "records_parsed")
                                + " of "
                                + records
                                + " parsed");
        String location =
                job.stopWithSavepoint(
                                false,
                                target.getParent().resolve("savepoint-tmp").toUri().toString(),
                                SavepointFormatType.CANONICAL)
                        .get();
        Path written = Path.of(new org.apache.flink.core.fs.Path(location).toUri().getPath());
        Files.move(written, target);
        try (Stream<Path> files = Files.list(target.getParent().resolve("savepoint-tmp"))) {
            if (files.findAny().isEmpty()) {
                Files.delete(target.getParent().resolve("savepoint-tmp"));
            }
        }
        System.out.println("savepoint of version " + VERSION + " written to " + target);
        System.exit(0);
    }
}
