package io.telemetry.aggregator.sinks;

import io.telemetry.aggregator.operators.WindowAggregate;
import io.telemetry.aggregator.services.InfluxDbServer;
import io.telemetry.aggregator.services.KafkaServer;
import io.telemetry.aggregator.services.PostgresServer;
import io.telemetry.aggregator.services.QuestDbServer;
import io.telemetry.aggregator.sinks.influxdb.InfluxDbSink;
import io.telemetry.aggregator.sinks.influxdb.InfluxDbSinkOptions;
import io.telemetry.aggregator.sinks.kafka.KafkaSinkOptions;
import io.telemetry.aggregator.sinks.kafka.KafkaSinks;
import io.telemetry.aggregator.sinks.postgres.PostgresAggregateSink;
import io.telemetry.aggregator.sinks.postgres.PostgresSinkOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;

/**
 * Write throughput of each sink against real local servers: a bounded job writes N distinct
 * aggregates (one series per source, one window per minute) through one sink at a time and the wall
 * time from submission to the job's end (the last batch or transaction written, and the
 * MiniCluster's start of about a second) is printed as rows per second. Run with {@code
 * bin/bench-sinks [N]}.
 */
public final class SinkThroughputBenchmark {

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        Path dir = Files.createTempDirectory("sink-bench");
        List<WindowAggregate> aggregates = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long start = SinkTestData.T0 + (i % 1_000) * 60_000L;
            aggregates.add(
                    new WindowAggregate(
                            "bench",
                            "s" + (i / 1_000),
                            "{\"site\":\"lab\"}",
                            "avg",
                            start,
                            start + 60_000,
                            i * 0.5,
                            10,
                            0));
        }
        System.out.printf("%-28s %10s %10s %12s%n", "sink", "rows", "seconds", "rows/s");
        try (KafkaServer kafka = KafkaServer.start(dir.resolve("kafka"))) {
            for (String guarantee : List.of("exactly-once", "at-least-once")) {
                Configuration config = new Configuration();
                config.set(KafkaSinkOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
                config.set(KafkaSinkOptions.TOPIC, "bench-" + guarantee);
                config.setString(KafkaSinkOptions.DELIVERY_GUARANTEE.key(), guarantee);
                config.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(1));
                KafkaSinks sinks = KafkaSinks.from(config);
                sinks.prepare();
                run("Kafka " + guarantee, sinks.aggregateSink(), aggregates);
            }
        }
        try (PostgresServer postgres = PostgresServer.start(dir.resolve("postgres"))) {
            Configuration config = new Configuration();
            config.set(PostgresSinkOptions.CONNECTION, postgres.uri());
            config.set(PostgresSinkOptions.TABLE, "bench");
            PostgresAggregateSink sink = PostgresAggregateSink.from(config);
            sink.prepare();
            run("PostgreSQL upsert", sink.sink(), aggregates);
            try (Connection c = postgres.connect();
                    Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT count(*) FROM bench")) {
                r.next();
                check("PostgreSQL rows", r.getLong(1), n);
            }
        }
        if (InfluxDbServer.executable() != null) {
            try (InfluxDbServer influx = InfluxDbServer.start(dir.resolve("influxdb"))) {
                influx.query(null, "CREATE DATABASE bench");
                Configuration config = new Configuration();
                config.set(InfluxDbSinkOptions.URL, influx.url());
                config.set(InfluxDbSinkOptions.DATABASE, "bench");
                run("InfluxDB 1.6 v1 /write", InfluxDbSink.from(config), aggregates);
                String count = influx.query("bench", "SELECT count(\"count\") FROM bench");
                java.util.regex.Matcher m =
                        java.util.regex.Pattern.compile("\"values\":\\[\\[[^,]*,([0-9]+)\\]\\]")
                                .matcher(count);
                check("InfluxDB points", m.find() ? Long.parseLong(m.group(1)) : -1, n);
            }
        }
        try (QuestDbServer questDb = QuestDbServer.start(dir.resolve("questdb"))) {
            Configuration config = new Configuration();
            config.set(InfluxDbSinkOptions.URL, questDb.url());
            config.set(InfluxDbSinkOptions.BUCKET, "bench");
            config.set(InfluxDbSinkOptions.TOKEN, "token");
            run("QuestDB v2 /api/v2/write", InfluxDbSink.from(config), aggregates);
        }
    }

    private static void run(
            String name, Sink<WindowAggregate> sink, List<WindowAggregate> aggregates)
            throws Exception {
        long start = System.nanoTime();
        SinkTestData.write(sink, aggregates);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                "%-28s %10d %10.2f %12.0f%n",
                name, aggregates.size(), seconds, aggregates.size() / seconds);
    }

    private static void check(String what, long actual, long expected) {
        System.out.printf(
                "  %s: %d of %d%s%n",
                what, actual, expected, actual == expected ? "" : "  MISMATCH");
    }
}
