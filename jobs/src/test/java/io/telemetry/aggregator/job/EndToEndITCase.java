package io.telemetry.aggregator.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetry.aggregator.operators.OperatorNames;
import io.telemetry.aggregator.operators.WindowOptions;
import io.telemetry.aggregator.services.Await;
import io.telemetry.aggregator.services.CommittedRecords;
import io.telemetry.aggregator.services.UdpPortReservation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * UDP datagrams in, and real Kafka, PostgreSQL and InfluxDB hold exactly the expected aggregates,
 * with the dead letter in its Kafka topic.
 */
class EndToEndITCase {

    static final JobMetrics METRICS = new JobMetrics();

    @RegisterExtension
    static final LocalStores STORES = LocalStores.withMiniCluster(METRICS.clusterConfiguration());

    @TempDir static Path dir;

    @Test
    void udpInAndEveryStoreHoldsExactlyTheAggregates() throws Exception {
        Configuration config = STORES.config("e2e");
        UdpPortReservation reserved = UdpTestSender.reservePort();
        int port = reserved.port();
        JobClient job = LocalStores.startJob(config, port, "e2e", outputs -> {});
        boolean drained = false;
        try (CommittedRecords kafkaReader = STORES.kafka.committedRecords("e2e-aggregates");
                CommittedRecords deadReader = STORES.kafka.committedRecords("e2e-dead");
                UdpTestSender s = new UdpTestSender(port)) {
            reserved.awaitJobSockets(2, LocalStores.TIMEOUT, () -> UdpTestSender.alive(job));
            long b = (System.currentTimeMillis() / 2_000 - 1_800) * 2_000;
            String tags = "{\"site\":\"a b,c=d\"}";
            s.send(
                    temp(10, b + 100, "[\"avg\",\"max\"]")
                            + "\n"
                            + temp(30, b + 900, "[\"avg\",\"max\"]")
                            + "\n{bad");
            s.send(
                    "gpu,host=g1 util=50 "
                            + (b + 500) * 1_000_000
                            + "\ngpu,host=g1 util=70 "
                            + (b + 1_500) * 1_000_000);
            s.send(temp(5, b + 2_500, null));

            List<String> expectedRows =
                    List.of(
                            "gpu.util g1 {} avg @" + b + " = 60.0 x2",
                            "temp d1 {\"site\": \"a b,c=d\"} avg @" + b + " = 20.0 x2",
                            "temp d1 {\"site\": \"a b,c=d\"} max @" + b + " = 30.0 x2",
                            "temp d1 {\"site\": \"a b,c=d\"} avg @" + (b + 2_000) + " = 5.0 x1");
            Await.until(
                    () -> STORES.rows("e2e").size() >= 4,
                    LocalStores.TIMEOUT,
                    () -> STORES.rows("e2e").toString());
            Await.until(
                    () -> kafkaReader.values().size() >= 4,
                    LocalStores.TIMEOUT,
                    () -> kafkaReader.values().toString());
            Await.until(
                    () -> STORES.points("e2e").size() >= 4,
                    LocalStores.TIMEOUT,
                    () -> STORES.points("e2e").toString());
            Await.until(
                    () -> deadReader.values().size() >= 1,
                    LocalStores.TIMEOUT,
                    () -> deadReader.values().toString());
            // Nothing is open any more: after the drain the stores hold all the job ever writes.
            LocalStores.drain(job, dir);
            drained = true;

            assertThat(STORES.rows("e2e")).containsExactlyElementsOf(expectedRows);
            assertThat(kafkaReader.values())
                    .containsExactlyInAnyOrder(
                            LocalStores.kafkaValue("gpu.util", "g1", "{}", "avg", b, 60.0, 2),
                            LocalStores.kafkaValue("temp", "d1", tags, "avg", b, 20.0, 2),
                            LocalStores.kafkaValue("temp", "d1", tags, "max", b, 30.0, 2),
                            LocalStores.kafkaValue("temp", "d1", tags, "avg", b + 2_000, 5.0, 1));
            assertThat(STORES.points("e2e"))
                    .containsExactly(
                            "gpu.util {function=avg, source=g1} 60 x2 @" + b,
                            "temp {function=avg, site=a b,c=d, source=d1} 20 x2 @" + b,
                            "temp {function=avg, site=a b,c=d, source=d1} 5 x1 @" + (b + 2_000),
                            "temp {function=max, site=a b,c=d, source=d1} 30 x2 @" + b);
            assertThat(deadReader.values())
                    .singleElement()
                    .satisfies(
                            d ->
                                    assertThat(d)
                                            .startsWith("{\"reason\":\"malformed\",")
                                            .contains("\"sender\":\"" + s.address() + "\"")
                                            .endsWith("\"record\":\"{bad\"}"));
        } finally {
            reserved.close();
            if (!drained) {
                job.cancel().get();
            }
        }
    }

    @Test
    void storesAwayWhileWindowsCloseLoseAndDoubleNothing() throws Exception {
        Configuration config = STORES.config("outage");
        // Any failure would lose what arrived since the last checkpoint: the job must ride it out.
        config.setString("restart-strategy.type", "none");
        // Windows close only by newer records here, never by the idle flush, whatever the timing.
        config.set(WindowOptions.IDLE_TIMEOUT, Duration.ofMinutes(10));
        UdpPortReservation reserved = UdpTestSender.reservePort();
        int port = reserved.port();
        long b = (System.currentTimeMillis() / 2_000 - 1_800) * 2_000;

        JobClient job = LocalStores.startJob(config, port, "outage", outputs -> {});
        boolean drained = false;
        boolean storesAway = false;
        try (CommittedRecords kafkaReader = STORES.kafka.committedRecords("outage-aggregates");
                UdpTestSender s = new UdpTestSender(port)) {
            reserved.awaitJobSockets(2, LocalStores.TIMEOUT, () -> UdpTestSender.alive(job));
            s.send(outage(1, b + 100) + "\n" + outage(2, b + 200));
            s.send(outage(10, b + 3_000)); // closes the first window
            Await.until(
                    () -> STORES.rows("outage").size() >= 1,
                    LocalStores.TIMEOUT,
                    () -> STORES.rows("outage").toString());
            Await.until(
                    () -> kafkaReader.values().size() >= 1,
                    LocalStores.TIMEOUT,
                    () -> kafkaReader.values().toString());
            Await.until(
                    () -> STORES.points("outage").size() >= 1,
                    LocalStores.TIMEOUT,
                    () -> STORES.points("outage").toString());

            storesAway = true;
            STORES.kafka.stop();
            STORES.influx.stop();
            STORES.postgres.refuseConnections();
            s.send(outage(20, b + 3_500));
            s.send(outage(5, b + 6_100)); // closes the second window while every store is away
            s.send(outage(7, b + 9_500)); // closes the third
            // The stores stay away until the job has emitted the second window into its sinks,
            // which must hold it until the stores are back (the third follows once the task is no
            // longer held up by the Kafka sink's checkpoint). Not longer than a minute: the Kafka
            // sink's checkpoint fails once its producer has waited that long for the broker.
            Await.until(
                    () ->
                            METRICS.sum(
                                            job.getJobID(),
                                            OperatorNames.WINDOW_AGGREGATE,
                                            "numRecordsOut")
                                    >= 2,
                    Duration.ofSeconds(40),
                    () ->
                            "window records out "
                                    + METRICS.sum(
                                            job.getJobID(),
                                            OperatorNames.WINDOW_AGGREGATE,
                                            "numRecordsOut"));
            assertThat(job.getJobStatus().get())
                    .isEqualTo(org.apache.flink.api.common.JobStatus.RUNNING);
            STORES.kafka.restart();
            STORES.influx.restart();
            STORES.postgres.reopen();
            storesAway = false;

            Await.until(
                    () -> STORES.rows("outage").size() >= 3,
                    LocalStores.TIMEOUT,
                    () -> STORES.rows("outage").toString());
            Await.until(
                    () -> kafkaReader.values().size() >= 3,
                    LocalStores.TIMEOUT,
                    () -> kafkaReader.values().toString());
            Await.until(
                    () -> STORES.points("outage").size() >= 3,
                    LocalStores.TIMEOUT,
                    () -> STORES.points("outage").toString());
            assertThat(job.getJobStatus().get())
                    .isEqualTo(org.apache.flink.api.common.JobStatus.RUNNING);
            // The drain emits the window that is still open (b + 8 s): then everything is final.
            LocalStores.drain(job, dir);
            drained = true;

            assertThat(STORES.rows("outage"))
                    .containsExactly(
                            "outage d1 {} sum @" + b + " = 3.0 x2",
                            "outage d1 {} sum @" + (b + 2_000) + " = 30.0 x2",
                            "outage d1 {} sum @" + (b + 6_000) + " = 5.0 x1",
                            "outage d1 {} sum @" + (b + 8_000) + " = 7.0 x1");
            assertThat(kafkaReader.values())
                    .containsExactly(
                            LocalStores.kafkaValue("outage", "d1", "{}", "sum", b, 3.0, 2),
                            LocalStores.kafkaValue("outage", "d1", "{}", "sum", b + 2_000, 30.0, 2),
                            LocalStores.kafkaValue("outage", "d1", "{}", "sum", b + 6_000, 5.0, 1),
                            LocalStores.kafkaValue("outage", "d1", "{}", "sum", b + 8_000, 7.0, 1));
            assertThat(STORES.points("outage"))
                    .containsExactly(
                            "outage {function=sum, source=d1} 3 x2 @" + b,
                            "outage {function=sum, source=d1} 30 x2 @" + (b + 2_000),
                            "outage {function=sum, source=d1} 5 x1 @" + (b + 6_000),
                            "outage {function=sum, source=d1} 7 x1 @" + (b + 8_000));
        } finally {
            reserved.close();
            if (storesAway) {
                STORES.kafka.restart();
                STORES.influx.restart();
                STORES.postgres.reopen();
            }
            if (!drained) {
                job.cancel().get();
            }
        }
    }

    static String outage(double value, long ts) {
        return "{\"metric\":\"outage\",\"value\":"
                + value
                + ",\"ts\":"
                + ts
                + ",\"device_id\":\"d1\",\"function\":\"sum\"}";
    }

    static String temp(double value, long ts, String function) {
        return "{\"metric\":\"temp\",\"value\":"
                + value
                + ",\"ts\":"
                + ts
                + ",\"device_id\":\"d1\",\"tags\":{\"site\":\"a b,c=d\"}"
                + (function == null ? "" : ",\"function\":" + function)
                + "}";
    }
}
