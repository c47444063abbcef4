package io.telemetry.aggregator.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.telemetry.aggregator.operators.DeadLetter;
import io.telemetry.aggregator.operators.OperatorNames;
import io.telemetry.aggregator.services.Await;
import io.telemetry.aggregator.services.CommittedRecords;
import io.telemetry.aggregator.services.PrometheusServer;
import io.telemetry.aggregator.services.UdpPortReservation;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded job jar on a real Flink session cluster (bin/cluster: a JobManager and a TaskManager
 * JVM with flink-conf/config.yaml, RocksDB state), submitted over the REST API as users do, with
 * Kafka, PostgreSQL and InfluxDB sinks: stopped with a savepoint while a window is open, the jar
 * run again from it on the same cluster, every window once and exact in every store; then a fresh
 * job on the same cluster, its metrics read over REST and through a real Prometheus scraping the
 * cluster, where every panel of the Grafana dashboard returns data that matches the traffic.
 */
class ClusterSubmissionIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The cluster's checkpoint interval, as a line of config.yaml would set it. */
    private static final String CLUSTER_INTERVAL = "execution.checkpointing.interval=2s";

    @TempDir static Path dir;
    static LocalStores stores;
    static FlinkCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        stores = LocalStores.start(dir.resolve("stores"));
        cluster =
                FlinkCluster.start(
                        dir.resolve("cluster"),
                        CLUSTER_INTERVAL,
                        "metrics.fetcher.update-interval=500ms");
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

    /** The job's settings for the three stores as program arguments, 2 s windows. */
    private static List<String> storeArguments(String name, String table, String... settings)
            throws Exception {
        Configuration config = stores.config(name);
        for (int i = 0; i + 1 < settings.length; i += 2) {
            config.setString(settings[i], settings[i + 1]);
        }
        // The cluster's interval applies unless a test sets one.
        config.removeKey("execution.checkpointing.interval");
        if (table != null) {
            config.setString("sink.postgres.table", table);
        }
        List<String> args = new ArrayList<>();
        for (Map.Entry<String, String> e : config.toMap().entrySet()) {
            args.add("--" + e.getKey());
            args.add(e.getValue());
        }
        return args;
    }

    private static String[] arguments(int port, List<String> stores, String... more) {
        List<String> args = new ArrayList<>(List.of(more));
        args.addAll(
                List.of(
                        "--source.udp.bind-address",
                        "127.0.0.1",
                        "--source.udp.port",
                        String.valueOf(port)));
        args.addAll(stores);
        return args.toArray(new String[0]);
    }

    private long checkpointInterval(String jobId) {
        return cluster.json("/jobs/" + jobId + "/checkpoints/config").path("interval").asLong();
    }

    @Test
    void upgradesResubmissionsAndTheDashboardOnARealCluster() throws Exception {
        upgradeMidWindowOnTheSameClusterWithEverySink();
        aFreshJobOnTheSameClusterAndItsDashboard();
        aJobWithoutDurableCheckpointsIsRefusedWithOneLine();
    }

    private void upgradeMidWindowOnTheSameClusterWithEverySink() throws Exception {
        // Windows close by newer records only, so one is open at the savepoint.
        List<String> sinks = storeArguments("upgrade", null, "window.idle-timeout", "10min");
        long b = (System.currentTimeMillis() / 2_000 - 1_800) * 2_000;
        String first;
        int port;
        try (UdpPortReservation reserved = UdpPortReservation.reserve("127.0.0.1")) {
            port = reserved.port();
            first = cluster.submit(arguments(port, sinks));
            reserved.awaitJobSockets(
                    2, FlinkCluster.TIMEOUT, () -> !cluster.state(first).equals("FAILED"));
        }
        // The cluster's interval, not the job's default of 10 s.
        assertThat(checkpointInterval(first)).isEqualTo(2_000);
        String savepoint;
        try (CommittedRecords kafka = stores.kafka.committedRecords("upgrade-aggregates");
                UdpTestSender s = new UdpTestSender(port)) {
            s.send(
                    SavepointUpgradeITCase.upgrade(1, b + 100)
                            + "\n"
                            + SavepointUpgradeITCase.upgrade(2, b + 200));
            s.send(SavepointUpgradeITCase.upgrade(10, b + 3_000)); // closes the first window
            Await.until(
                    () -> stores.rows("upgrade").size() >= 1,
                    FlinkCluster.TIMEOUT,
                    () -> stores.rows("upgrade").toString());
            Await.until(
                    () -> kafka.values().size() >= 1,
                    FlinkCluster.TIMEOUT,
                    () -> kafka.values().toString());
            // The first window's aggregate means the open window's record was parsed before it.
            savepoint = cluster.stopWithSavepoint(first, dir.resolve("savepoints"));
        }
        assertThat(savepoint).contains("savepoint-");

        // The same jar run again from the savepoint on the same cluster, at parallelism 1: its
        // main() runs in a new class loader of the same JobManager.
        List<String> resubmit = new ArrayList<>(List.of("-p", "1", "--from", savepoint));
        resubmit.addAll(List.of(arguments(port, sinks)));
        String second = cluster.submit(resubmit.toArray(new String[0]));
        assertThat(second).isNotEqualTo(first);
        cluster.awaitRunning(second);
        // One reader with both splits of the savepoint, each split's sockets bound.
        UdpPortReservation.awaitSplitSockets(port, 2, FlinkCluster.TIMEOUT);
        try (CommittedRecords kafka = stores.kafka.committedRecords("upgrade-aggregates");
                UdpTestSender s = new UdpTestSender(port)) {
            s.send(
                    SavepointUpgradeITCase.upgrade(
                            20, b + 3_500)); // into the window open at the savepoint
            s.send(SavepointUpgradeITCase.upgrade(5, b + 6_100)); // closes it
            s.send(SavepointUpgradeITCase.upgrade(7, b + 9_500)); // closes the next one
            Await.until(
                    () -> stores.rows("upgrade").size() >= 3,
                    FlinkCluster.TIMEOUT,
                    () -> stores.rows("upgrade").toString());
            Await.until(
                    () -> kafka.values().size() >= 3,
                    FlinkCluster.TIMEOUT,
                    () -> kafka.values().toString());
            // The drain emits the window still open (b + 8 s); then everything is final.
            cluster.drain(second, dir.resolve("drained"));

            assertThat(stores.rows("upgrade"))
                    .containsExactlyElementsOf(SavepointUpgradeITCase.upgradedRows(b));
            assertThat(kafka.values())
                    .containsExactlyElementsOf(SavepointUpgradeITCase.upgradedKafkaValues(b));
            assertThat(stores.points("upgrade"))
                    .containsExactly(
                            "upgrade {function=sum, source=d1} 3 x2 @" + b,
                            "upgrade {function=sum, source=d1} 30 x2 @" + (b + 2_000),
                            "upgrade {function=sum, source=d1} 5 x1 @" + (b + 6_000),
                            "upgrade {function=sum, source=d1} 7 x1 @" + (b + 8_000));
        }
    }

    /**
     * A third job, fresh, on the same cluster, with its own checkpoint interval: steady traffic for
     * over a minute, then every dashboard panel evaluated by a real Prometheus that scrapes the
     * cluster's reporters, and the job's metrics over REST equal to what was sent.
     */
    private void aFreshJobOnTheSameClusterAndItsDashboard() throws Exception {
        // The dashboard's PostgreSQL panel reads the default table.
        List<String> sinks = storeArguments("dash", "telemetry_aggregates");
        String job;
        int port;
        try (UdpPortReservation reserved = UdpPortReservation.reserve("127.0.0.1")) {
            port = reserved.port();
            job =
                    cluster.submit(
                            arguments(port, sinks, "--execution.checkpointing.interval", "3s"));
            reserved.awaitJobSockets(
                    2, FlinkCluster.TIMEOUT, () -> !cluster.state(job).equals("FAILED"));
        }
        // The job's own setting wins over the cluster's.
        assertThat(checkpointInterval(job)).isEqualTo(3_000);

        SteadyTraffic traffic;
        try (PrometheusServer prometheus =
                PrometheusServer.start(dir.resolve("prometheus"), cluster.prometheusEndpoints())) {
            traffic = SteadyTraffic.send(port, 100, 70);
            Dashboard dashboard =
                    Dashboard.load(
                            FlinkCluster.ROOT.resolve(
                                    "k8s-operator/dashboards/telemetry-aggregator.json"));
            // The $job variable as Grafana fills it: the job_name values Prometheus has seen.
            JsonNode jobNames =
                    JSON.readTree(prometheus.get("/api/v1/label/job_name/values")).path("data");
            assertThat(jobNames).hasSize(1);
            String selector = jobNames.get(0).asText();

            // Every panel's every query returns at least one series.
            for (Dashboard.Query q : dashboard.prometheusQueries()) {
                JsonNode result =
                        JSON.readTree(prometheus.query(q.expr(selector)))
                                .path("data")
                                .path("result");
                assertThat(result.size())
                        .as("panel '" + q.panel + "': " + q.expr(selector))
                        .isPositive();
            }
            // The throughput and dead-letter panels show the traffic of the last minute.
            double seconds = 60;
            assertThat(
                            single(
                                    prometheus,
                                    dashboard.expr(
                                            "Datagrams and records per second", 0, selector)))
                    .isCloseTo(
                            traffic.datagramsInLast(seconds) / seconds, within(0.1 * traffic.rate));
            assertThat(
                            single(
                                    prometheus,
                                    dashboard.expr(
                                            "Datagrams and records per second", 1, selector)))
                    .isCloseTo(
                            2 * traffic.datagramsInLast(seconds) / seconds,
                            within(0.2 * traffic.rate));
            JsonNode reasons =
                    JSON.readTree(
                                    prometheus.query(
                                            dashboard.expr("Dead letters by reason", 0, selector)))
                            .path("data")
                            .path("result");
            Map<String, Double> byReason = new java.util.TreeMap<>();
            for (JsonNode r : reasons) {
                byReason.put(
                        r.path("metric").path("reason").asText(),
                        r.path("value").get(1).asDouble());
            }
            // Every reason is on the dashboard from the start, at 0 until it happens.
            assertThat(byReason.keySet()).containsExactlyInAnyOrder(DeadLetter.REASONS);
            assertThat(byReason.get("malformed"))
                    .isCloseTo(
                            traffic.malformedInLast(seconds) / seconds,
                            within(0.01 * traffic.rate));
            byReason.remove("malformed");
            assertThat(byReason.values()).containsOnly(0.0);
            // And the counters behind them hold exactly what was sent, once scraped.
            Await.until(
                    () ->
                            scalar(
                                            prometheus,
                                            "sum(flink_taskmanager_job_task_operator_datagrams_received{job_name=\""
                                                    + selector
                                                    + "\"})")
                                    == traffic.datagrams,
                    FlinkCluster.TIMEOUT,
                    () ->
                            "Prometheus has "
                                    + scalar(
                                            prometheus,
                                            "sum(flink_taskmanager_job_task_operator_datagrams_received)")
                                    + " of "
                                    + traffic.datagrams
                                    + " datagrams");
            assertThat(
                            scalar(
                                    prometheus,
                                    "sum(flink_taskmanager_job_task_operator_records_parsed{job_name=\""
                                            + selector
                                            + "\"})"))
                    .isEqualTo(2.0 * traffic.datagrams);
            assertThat(
                            scalar(
                                    prometheus,
                                    "sum(flink_taskmanager_job_task_operator_reason_failed_events_count{job_name=\""
                                            + selector
                                            + "\",reason=\"malformed\"})"))
                    .isEqualTo(traffic.malformed);
        }

        // The same counts over REST, as the web UI shows them.
        List<String> names =
                List.of(
                        OperatorNames.metric(OperatorNames.UDP_SOURCE, "datagrams_received"),
                        OperatorNames.metric(OperatorNames.PARSE, "records_parsed"),
                        OperatorNames.metric(
                                OperatorNames.PARSE, "reason.malformed.failed_events_count"));
        Await.until(
                () ->
                        cluster.metricSums(job, OperatorNames.SOURCE_VERTEX, names)
                                        .getOrDefault(names.get(0), 0.0)
                                >= traffic.datagrams,
                FlinkCluster.TIMEOUT,
                () -> cluster.metricSums(job, OperatorNames.SOURCE_VERTEX, names).toString());
        Map<String, Double> sums = cluster.metricSums(job, OperatorNames.SOURCE_VERTEX, names);
        assertThat(sums.get(names.get(0))).isEqualTo((double) traffic.datagrams);
        assertThat(sums.get(names.get(1))).isEqualTo(2.0 * traffic.datagrams);
        assertThat(sums.get(names.get(2))).isEqualTo((double) traffic.malformed);

        // The dashboard's PostgreSQL panel: the variable's query and the panel's own.
        try (Connection c = stores.postgres.connect();
                Statement st = c.createStatement()) {
            try (ResultSet r =
                    st.executeQuery(
                            Dashboard.load(
                                            FlinkCluster.ROOT.resolve(
                                                    "k8s-operator/dashboards/telemetry-aggregator.json"))
                                    .postgresVariableQuery())) {
                List<String> metrics = new ArrayList<>();
                while (r.next()) {
                    metrics.add(r.getString(1));
                }
                assertThat(metrics).containsExactly("dash.hits", "dash.latency");
            }
            try (ResultSet r =
                    st.executeQuery(
                            Dashboard.load(
                                            FlinkCluster.ROOT.resolve(
                                                    "k8s-operator/dashboards/telemetry-aggregator.json"))
                                    .postgresPanelQuery("'dash.hits'"))) {
                assertThat(r.next()).as("the PostgreSQL panel has rows").isTrue();
            }
        }
        cluster.cancel(job);
    }

    /** Checkpoints in the JobManager's memory: the job is refused at start with one line. */
    private void aJobWithoutDurableCheckpointsIsRefusedWithOneLine() {
        assertThatThrownBy(
                        () ->
                                cluster.submit(
                                        "--sink.types",
                                        "log",
                                        "--execution.checkpointing.storage",
                                        "jobmanager"))
                .hasMessageContaining(
                        "The job did not start: execution.checkpointing.dir is not set: the job needs"
                                + " durable checkpoint storage");
    }

    private static double single(PrometheusServer prometheus, String expr) throws Exception {
        JsonNode result = JSON.readTree(prometheus.query(expr)).path("data").path("result");
        assertThat(result.size()).as(expr).isEqualTo(1);
        return result.get(0).path("value").get(1).asDouble();
    }

    private static double scalar(PrometheusServer prometheus, String expr) {
        try {
            JsonNode result = JSON.readTree(prometheus.query(expr)).path("data").path("result");
            return result.isEmpty() ? Double.NaN : result.get(0).path("value").get(1).asDouble();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
