package io.telemetry.aggregator.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.telemetry.aggregator.operators.OperatorNames;
import io.telemetry.aggregator.services.Await;
import io.telemetry.aggregator.services.CommittedRecords;
import io.telemetry.aggregator.services.Directories;
import io.telemetry.aggregator.services.UdpPortReservation;
import io.telemetry.aggregator.udp.reader.KernelSocketTable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TaskManager of a real session cluster (bin/cluster) killed with SIGKILL after its readers had
 * read datagrams that no completed checkpoint covers: a new TaskManager restores the job from its
 * checkpoint, the readers replay their journals, and Kafka (read_committed) and PostgreSQL hold
 * every record in exactly one aggregate, for records timed by their own field and records timed on
 * arrival; the dead letters are exact too.
 */
class TaskManagerCrashIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SENDERS = 8;
    private static final int RECORDS_PER_DATAGRAM = 5;

    /** A lost TaskManager is noticed within seconds, not the default 50 s. */
    private static final String[] CLUSTER_SETTINGS = {
        "heartbeat.interval=1000", "heartbeat.timeout=5000", "metrics.fetcher.update-interval=500ms"
    };

    @TempDir static Path dir;
    static LocalStores stores;
    static FlinkCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        stores = LocalStores.start(dir.resolve("stores"));
        cluster = FlinkCluster.start(dir.resolve("cluster"), CLUSTER_SETTINGS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (stores != null) {
            stores.close();
        }
    }

    /** What the test sent, as each store should hold it. */
    private final Map<String, double[]> timed = new TreeMap<>(); // "source @window" -> sum, count

    private long arrivalRecords;
    private long statsdRecords;
    private long badRecords;
    private long datagrams;
    private final List<UdpTestSender> senders = new ArrayList<>();

    /** The stores' table, database and topics of the test. */
    private String name = "crash";

    @Test
    void killedProcessesLoseNoRecordTheReadersHadReadAndDoubleNone() throws Exception {
        List<String> settings = arguments(journaled("journal"));
        Submitted submitted = submit(settings);
        String first = submitted.job();
        int port = submitted.port();
        for (int i = 0; i < SENDERS; i++) {
            senders.add(new UdpTestSender(port));
        }
        try (CommittedRecords kafka = stores.kafka.committedRecords("crash-aggregates");
                CommittedRecords deadLetters = stores.kafka.committedRecords("crash-dead")) {
            send(port, 2_000);
            cluster.checkpoint(first);
            // 1. Datagrams read by the readers that no completed checkpoint covers (sent again
            // if a periodic checkpoint completed meanwhile), then the TaskManager is killed.
            sendUncovered(first, port);
            killTaskManagerAndRestore(first, port);
            // The restored readers replay their journals from the checkpoint's positions.
            awaitReplayed(first, 2_000);

            // 2. A second failure before the restored job completed a checkpoint: the journals
            // now hold what was replayed and what came after it, all replayed again.
            send(port, 1_000);
            killTaskManagerAndRestore(first, port);
            send(port, 1_000);

            // 3. The JobManager killed: without high availability the job ends with it. Run
            // again from its latest retained checkpoint, the new job replays the journals.
            String retained = latestCompletedPath(first);
            killJobManagerAndRestartCluster();
            submitted = resubmit(settings, "--from", retained);
            String second = submitted.job();
            port = submitted.port();
            send(port, 1_000);
            cluster.drain(second, dir.resolve("savepoints"));

            assertExact(kafka, deadLetters);
        } finally {
            for (UdpTestSender s : senders) {
                s.close();
            }
        }
    }

    /**
     * A retained checkpoint restored at another parallelism: the one reader of the new job takes
     * both splits and replays both journals, each datagram once.
     */
    @Test
    void aRetainedCheckpointRestoredAtAnotherParallelismReplaysEachJournalOnce() throws Exception {
        name = "rescale";
        List<String> settings = arguments(journaled("journal-rescale"));
        Submitted submitted = submit(settings);
        String first = submitted.job();
        int port = submitted.port();
        for (int i = 0; i < SENDERS; i++) {
            senders.add(new UdpTestSender(port));
        }
        try (CommittedRecords kafka = stores.kafka.committedRecords(name + "-aggregates");
                CommittedRecords deadLetters = stores.kafka.committedRecords(name + "-dead")) {
            send(port, 2_000);
            cluster.checkpoint(first);
            sendUncovered(first, port);
            // Read by both readers, in no checkpoint: only the journals hold these 2,000.
            String retained = latestCompletedPath(first);
            cluster.cancel(first);

            submitted = resubmit(settings, "-p", "1", "--from", retained);
            String second = submitted.job();
            port = submitted.port();
            awaitReplayed(second, 2_000);
            send(port, 1_000);
            cluster.drain(second, dir.resolve("savepoints-rescale"));

            assertExact(kafka, deadLetters);
        } finally {
            for (UdpTestSender s : senders) {
                s.close();
            }
        }
    }

    /**
     * A replacement TaskManager that does not see the journals (another machine, a volume not
     * shared): the job stops with one line naming the directory instead of restarting in a loop.
     */
    @Test
    void aRestoreWithoutItsJournalStopsTheJobWithOneLine() throws Exception {
        Configuration config = stores.config("missing");
        config.setString("execution.checkpointing.interval", "5min");
        Path journal = dir.resolve("journal-missing");
        config.setString("source.udp.journal.dir", journal.toString());
        Submitted submitted = submit(arguments(config));
        String job = submitted.job();
        try (UdpTestSender s = new UdpTestSender(submitted.port())) {
            s.send(RecoveryITCase.sum(1, System.currentTimeMillis()));
        }
        cluster.checkpoint(job);

        cluster.killTaskManager();
        Directories.deleteTree(journal);
        cluster.startTaskManager();

        assertThat(stoppedWithoutRestart(job))
                .contains(
                        "SuppressRestartsException",
                        "the journal of UDP split udp-",
                        " is missing: " + journal + "/",
                        "set source.udp.journal.missing: start-empty to accept the loss");
    }

    /**
     * A second job started from the checkpoint a running job was started from, with the same
     * journal directory, would append to the journals the running job reads: it stops (FAILED, no
     * restart loop) with one line naming the job that holds them, and the running job goes on
     * exact. (The job writes to PostgreSQL only: a second job restored from the same checkpoint
     * aborts the open Kafka transactions of the checkpoint's transactional ids whatever its own
     * settings, as Flink's Kafka sink does on every restore; the README says so.)
     */
    @Test
    void aSecondJobOnTheJournalsOfARunningOneStopsWithOneLine() throws Exception {
        name = "copy";
        Configuration config = journaled("journal-copy");
        config.setString(JobOptions.SINKS.key(), "POSTGRES");
        List<String> settings = arguments(config);
        Submitted submitted = submit(settings);
        String first = submitted.job();
        int port = submitted.port();
        for (int i = 0; i < SENDERS; i++) {
            senders.add(new UdpTestSender(port));
        }
        try {
            send(port, 500);
            cluster.checkpoint(first);
            String retained = latestCompletedPath(first);
            cluster.cancel(first);

            submitted = resubmit(settings, "-p", "1", "--from", retained);
            String second = submitted.job();
            port = submitted.port();
            assertACopyFromTheSameCheckpointStops(settings, retained, "journal-copy");
            send(port, 500);
            cluster.drain(second, dir.resolve("savepoints-copy"));

            List<String> rows = stores.rows(name);
            assertRowsExact(rows);
            System.out.printf(
                    "TaskManagerCrashIT: the copy stopped; %d datagrams, %d aggregates in PostgreSQL,"
                            + " every record in exactly one%n",
                    datagrams, rows.size());
        } finally {
            for (UdpTestSender s : senders) {
                s.close();
            }
        }
    }

    /**
     * Submits a copy of the job from {@code checkpoint} with the journals of the running job (and a
     * lock timeout of 1 s): it must stop with the line that names the journal and its holder.
     */
    private void assertACopyFromTheSameCheckpointStops(
            List<String> settings, String checkpoint, String journal) throws Exception {
        try (UdpPortReservation other = UdpPortReservation.reserve("127.0.0.1")) {
            List<String> args = new ArrayList<>(List.of("-p", "1", "--from", checkpoint));
            args.addAll(settings);
            args.addAll(
                    List.of(
                            "--source.udp.bind-address",
                            "127.0.0.1",
                            "--source.udp.port",
                            String.valueOf(other.port()),
                            "--source.udp.journal.lock-timeout",
                            "1s"));
            String copy = cluster.submit(args.toArray(new String[0]));
            assertThat(stoppedWithoutRestart(copy))
                    .contains(
                            "UDP split udp-",
                            ": the journal in " + dir.resolve(journal).toRealPath() + "/",
                            " is locked by ",
                            " split udp-",
                            "another running job reads the same split",
                            "source.udp.journal.lock-timeout, now 1000 ms");
        }
    }

    /**
     * Waits until the job has FAILED with restarts suppressed; its exception history, as the web UI
     * shows it.
     */
    private String stoppedWithoutRestart(String job) throws Exception {
        Await.until(
                () -> cluster.state(job).equals("FAILED"),
                FlinkCluster.TIMEOUT,
                () -> "job " + job + " is " + cluster.state(job));
        String[] exceptions = {""};
        Await.until(
                () -> {
                    exceptions[0] = cluster.get("/jobs/" + job + "/exceptions");
                    return exceptions[0].contains("SuppressRestartsException");
                },
                FlinkCluster.TIMEOUT,
                () -> exceptions[0]);
        return exceptions[0];
    }

    /**
     * Sends 2,000 datagrams that the readers read and no completed checkpoint covers: sent again if
     * a periodic checkpoint completed meanwhile.
     */
    private void sendUncovered(String job, int port) throws Exception {
        long checkpoint;
        int attempts = 0;
        do {
            assertThat(attempts++).as("a checkpoint-free stretch").isLessThan(3);
            checkpoint = latestCompleted(job);
            send(port, 2_000);
        } while (latestCompleted(job) != checkpoint || checkpointsInProgress(job) > 0);
    }

    /** Waits until the job's readers have replayed at least {@code datagrams} from journals. */
    private void awaitReplayed(String job, long datagrams) throws Exception {
        List<String> replayed =
                List.of(
                        OperatorNames.metric(
                                OperatorNames.UDP_SOURCE, "journal_replayed_datagrams"));
        Await.until(
                () ->
                        cluster.metricSums(job, OperatorNames.SOURCE_VERTEX, replayed)
                                        .getOrDefault(replayed.get(0), 0.0)
                                >= datagrams,
                FlinkCluster.TIMEOUT,
                () -> cluster.metricSums(job, OperatorNames.SOURCE_VERTEX, replayed).toString());
    }

    /**
     * The stores' settings of the test's {@link #name}, the journal in {@code journal}, small
     * segments, and periodic checkpoints rarely (the first at a random time within the interval):
     * the test takes the one the job restores from.
     */
    private Configuration journaled(String journal) throws Exception {
        Configuration config = stores.config(name);
        config.setString("window.idle-timeout", "10min");
        config.setString("execution.checkpointing.interval", "5min");
        config.setString("source.udp.journal.dir", dir.resolve(journal).toString());
        config.setString("source.udp.journal.segment-size", "1mb");
        config.setString("source.udp.journal.max-bytes", "64mb");
        return config;
    }

    /** Submits the job again and points the senders at its port. */
    private Submitted resubmit(List<String> settings, String... first) throws Exception {
        Submitted submitted = submit(settings, first);
        for (int i = 0; i < SENDERS; i++) {
            senders.set(i, new UdpTestSender(submitted.port())).close();
        }
        return submitted;
    }

    /** The job's settings as program arguments. */
    private static List<String> arguments(Configuration config) {
        List<String> args = new ArrayList<>();
        for (Map.Entry<String, String> e : config.toMap().entrySet()) {
            args.add("--" + e.getKey());
            args.add(e.getValue());
        }
        return args;
    }

    /** A running job and the UDP port its readers bound. */
    private record Submitted(String job, int port) {}

    /**
     * Submits the job ({@code first} are options of {@code bin/cluster submit}, such as {@code
     * --from}) on a UDP port held for it until the sockets of both splits are bound (by two
     * readers, or by one at parallelism 1), and waits until it runs.
     */
    private Submitted submit(List<String> settings, String... first) throws Exception {
        try (UdpPortReservation reserved = UdpPortReservation.reserve("127.0.0.1")) {
            List<String> args = new ArrayList<>(List.of(first));
            args.addAll(settings);
            args.addAll(
                    List.of(
                            "--source.udp.bind-address",
                            "127.0.0.1",
                            "--source.udp.port",
                            String.valueOf(reserved.port())));
            String job = cluster.submit(args.toArray(new String[0]));
            // The job's two splits, at either parallelism, each with its sockets.
            reserved.awaitJobSockets(
                    2, FlinkCluster.TIMEOUT, () -> !cluster.state(job).equals("FAILED"));
            cluster.awaitRunning(job);
            return new Submitted(job, reserved.port());
        }
    }

    /**
     * Kills the TaskManager with SIGKILL, starts a new one, and waits until the job restored from
     * its latest completed checkpoint runs with both readers bound again.
     */
    private void killTaskManagerAndRestore(String job, int port) throws Exception {
        long checkpoint = latestCompleted(job);
        long restoredBefore = restoredAt(job);
        cluster.killTaskManager();
        cluster.startTaskManager();
        Await.until(
                () -> restoredAt(job) > restoredBefore,
                FlinkCluster.TIMEOUT,
                () -> cluster.get("/jobs/" + job + "/checkpoints"));
        assertThat(latestRestored(job)).isEqualTo(checkpoint);
        cluster.awaitRunning(job);
        UdpPortReservation.awaitSplitSockets(port, 2, FlinkCluster.TIMEOUT);
    }

    private void killJobManagerAndRestartCluster() throws Exception {
        cluster.killJobManager();
        cluster.close();
        cluster = FlinkCluster.start(dir.resolve("cluster"), CLUSTER_SETTINGS);
    }

    private JsonNode latestCheckpoints(String job) {
        return cluster.json("/jobs/" + job + "/checkpoints").path("latest");
    }

    private long restoredAt(String job) {
        return latestCheckpoints(job).path("restored").path("restore_timestamp").asLong(-1);
    }

    private long latestRestored(String job) {
        return latestCheckpoints(job).path("restored").path("id").asLong(-1);
    }

    private String latestCompletedPath(String job) {
        return latestCheckpoints(job).path("completed").path("external_path").asText();
    }

    private long latestCompleted(String job) {
        return cluster.json("/jobs/" + job + "/checkpoints")
                .path("latest")
                .path("completed")
                .path("id")
                .asLong(-1);
    }

    private long checkpointsInProgress(String job) {
        return cluster.json("/jobs/" + job + "/checkpoints")
                .path("counts")
                .path("in_progress")
                .asLong();
    }

    /**
     * Sends datagrams of five records each, from eight senders (so both readers get some), in
     * bursts the readers take from the kernel before the next: nothing is lost before the job.
     */
    private void send(int port, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            long now = System.currentTimeMillis();
            String source = "d" + (datagrams % 4);
            StringBuilder datagram = new StringBuilder();
            int value = (int) (datagrams % 7) + 1;
            if (datagrams % 3 == 0) {
                // JSON timed by its own field.
                for (int r = 0; r < RECORDS_PER_DATAGRAM; r++) {
                    datagram.append(
                            String.format(
                                    "{\"metric\":\"crash_timed\",\"value\":%d,\"ts\":%d,\"device_id\":\"%s\",\"function\":\"sum\"}\n",
                                    value, now, source));
                    double[] sc =
                            timed.computeIfAbsent(
                                    source + " @" + (now / 2_000 * 2_000), k -> new double[2]);
                    sc[0] += value;
                    sc[1]++;
                }
            } else if (datagrams % 3 == 1) {
                // JSON timed on arrival.
                for (int r = 0; r < RECORDS_PER_DATAGRAM; r++) {
                    datagram.append(
                            "{\"metric\":\"crash_arrival\",\"value\":1,\"device_id\":\"a\",\"function\":\"sum\"}\n");
                    arrivalRecords++;
                }
            } else {
                // StatsD timed on arrival, every tenth such datagram with a malformed line.
                for (int r = 0; r < RECORDS_PER_DATAGRAM; r++) {
                    datagram.append("crash.statsd:1|c\n");
                    statsdRecords++;
                }
                if (datagrams % 30 == 2) {
                    datagram.append("crash.bad:x|c\n");
                    badRecords++;
                }
            }
            senders.get((int) (datagrams % SENDERS)).send(datagram.toString());
            datagrams++;
            if (i % 100 == 99) {
                awaitRead(port);
            }
        }
        awaitRead(port);
    }

    /** Waits until the job's sockets hold nothing the readers have not taken. */
    private static void awaitRead(int port) throws Exception {
        Await.until(
                () -> KernelSocketTable.queuedBytes(port) == 0,
                FlinkCluster.TIMEOUT,
                () -> KernelSocketTable.queuedBytes(port) + " bytes queued on " + port);
    }

    private void assertExact(CommittedRecords kafkaReader, CommittedRecords deadLetters)
            throws Exception {
        List<String> rows = stores.rows(name);
        // The job has finished: all it committed is there to read, a duplicate included.
        Await.until(
                () -> kafkaReader.values().size() >= rows.size(),
                FlinkCluster.TIMEOUT,
                () -> kafkaReader.values().size() + " of " + rows.size() + " aggregates in Kafka");
        List<String> kafka = kafkaReader.values();
        assertThat(kafka).hasSameSizeAs(rows);
        List<String> expectedTimed = assertRowsExact(rows);

        // InfluxDB (at least once; a point written again overwrites its series and time).
        List<String> expectedPoints = new ArrayList<>();
        for (Map.Entry<String, double[]> e : timed.entrySet()) {
            String[] sourceWindow = e.getKey().split(" @");
            expectedPoints.add(
                    "crash_timed {function=sum, source="
                            + sourceWindow[0]
                            + "} "
                            + (long) e.getValue()[0]
                            + " x"
                            + (long) e.getValue()[1]
                            + " @"
                            + sourceWindow[1]);
        }
        expectedPoints.sort(null);
        List<String> timedPoints = new ArrayList<>();
        double[] influxArrival = new double[2];
        double[] influxStatsd = new double[2];
        for (String point : stores.points(name)) {
            if (point.startsWith("crash_timed ")) {
                timedPoints.add(point);
            } else {
                String[] valueCount =
                        point.substring(point.indexOf("} ") + 2, point.indexOf(" @")).split(" x");
                double[] target = point.startsWith("crash_arrival ") ? influxArrival : influxStatsd;
                target[0] += Double.parseDouble(valueCount[0]);
                target[1] += Long.parseLong(valueCount[1]);
            }
        }
        assertThat(timedPoints).containsExactlyElementsOf(expectedPoints);
        assertThat(influxArrival).containsExactly(arrivalRecords, arrivalRecords);
        assertThat(influxStatsd).containsExactly(statsdRecords, statsdRecords);
        System.out.printf(
                "TaskManagerCrashIT: %d datagrams sent, %d records (%d timed by field, %d JSON and %d"
                        + " StatsD timed on arrival, %d malformed); %d aggregates in PostgreSQL, Kafka"
                        + " and InfluxDB, every record in exactly one%n",
                datagrams,
                timedRecords() + arrivalRecords + statsdRecords + badRecords,
                timedRecords(),
                arrivalRecords,
                statsdRecords,
                badRecords,
                rows.size());

        Map<String, Integer> seen = new TreeMap<>();
        double[] kafkaArrival = new double[2];
        double[] kafkaStatsd = new double[2];
        List<String> kafkaTimedRows = new ArrayList<>();
        for (String record : kafka) {
            JsonNode a = JSON.readTree(record.substring(record.indexOf(" => ") + 4));
            String key =
                    a.path("metric").asText()
                            + " "
                            + a.path("source").asText()
                            + " @"
                            + a.path("window_start").asText();
            seen.merge(key, 1, Integer::sum);
            double[] target =
                    switch (a.path("metric").asText()) {
                        case "crash_arrival" -> kafkaArrival;
                        case "crash.statsd" -> kafkaStatsd;
                        default -> null;
                    };
            if (target != null) {
                target[0] += a.path("value").asDouble();
                target[1] += a.path("count").asLong();
            } else if (a.path("metric").asText().equals("crash_timed")) {
                kafkaTimedRows.add(
                        "crash_timed "
                                + a.path("source").asText()
                                + " {} sum @"
                                + java.time.Instant.parse(a.path("window_start").asText())
                                        .toEpochMilli()
                                + " = "
                                + a.path("value").asDouble()
                                + " x"
                                + a.path("count").asLong());
            }
        }
        kafkaTimedRows.sort(null);
        assertThat(seen.values()).as("each window once in Kafka").containsOnly(1);
        assertThat(kafkaTimedRows).containsExactlyElementsOf(expectedTimed);
        assertThat(kafkaArrival).containsExactly(arrivalRecords, arrivalRecords);
        assertThat(kafkaStatsd).containsExactly(statsdRecords, statsdRecords);

        Await.until(
                () -> deadLetters.values().size() >= badRecords,
                FlinkCluster.TIMEOUT,
                () -> deadLetters.values().size() + " of " + badRecords + " dead letters");
        List<String> dead = deadLetters.values();
        assertThat(dead).hasSize((int) badRecords);
        assertThat(dead).allMatch(d -> d.contains("crash.bad:x|c"));
    }

    /**
     * PostgreSQL's rows hold every record sent in exactly one aggregate; returns the rows expected
     * of the records timed by their own field.
     */
    private List<String> assertRowsExact(List<String> rows) {
        // Records timed by their own field: every window exact.
        List<String> expectedTimed = new ArrayList<>();
        for (Map.Entry<String, double[]> e : timed.entrySet()) {
            String[] sourceWindow = e.getKey().split(" @");
            expectedTimed.add(
                    "crash_timed "
                            + sourceWindow[0]
                            + " {} sum @"
                            + sourceWindow[1]
                            + " = "
                            + e.getValue()[0]
                            + " x"
                            + (long) e.getValue()[1]);
        }
        List<String> timedRows = new ArrayList<>();
        double[] arrival = new double[2];
        double[] statsd = new double[2];
        for (String row : rows) {
            if (row.startsWith("crash_timed ")) {
                timedRows.add(row);
            } else if (row.startsWith("crash_arrival ")) {
                add(arrival, row);
            } else if (row.startsWith("crash.statsd ")) {
                add(statsd, row);
            }
        }
        timedRows.sort(null);
        expectedTimed.sort(null);
        assertThat(timedRows).containsExactlyElementsOf(expectedTimed);
        // Records timed on arrival: whichever window each fell in, each is in exactly one.
        assertThat(arrival).containsExactly(arrivalRecords, arrivalRecords);
        assertThat(statsd).containsExactly(statsdRecords, statsdRecords);
        return expectedTimed;
    }

    private long timedRecords() {
        long n = 0;
        for (double[] sc : timed.values()) {
            n += (long) sc[1];
        }
        return n;
    }

    /** Adds a row's value and count ("... = 12.0 x12"). */
    private static void add(double[] sum, String row) {
        String[] valueCount = row.substring(row.lastIndexOf(" = ") + 3).split(" x");
        sum[0] += Double.parseDouble(valueCount[0]);
        sum[1] += Long.parseLong(valueCount[1]);
    }
}
