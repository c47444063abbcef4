package io.telemetry.aggregator.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.TimeUnit;

/**
 * The shaded job jar on a real Flink session cluster (bin/cluster: a JobManager and a
 * TaskManager JVM with flink-conf/config.yaml, RocksDB state), submitted over the REST API, with
 * its custom metrics read back over REST and checked against the traffic sent; then stopped with
 * a savepoint while a window is open and resumed from it at another parallelism (bin/cluster
 * savepoint, bin/cluster submit --from), with that window emitted once and exact.
 */
class ClusterSubmissionIT {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir Path dir;

    @Test
    void jobJarRunsOnARealClusterAndReportsItsMetricsOverRest() throws Exception {
        int restPort = freeTcpPort();
        Map<String, String> env = new HashMap<>();
        env.put("FLINK_CLUSTER_DIR", dir.toString());
        env.put("FLINK_REST_PORT", String.valueOf(restPort));
        env.put("FLINK_RPC_PORT", String.valueOf(freeTcpPort()));
        String rest = "http://localhost:" + restPort;
        int udpPort = UdpTestSender.freePort();

        run(env, "bin/cluster", "start");
        try {
            String jobId =
                    run(env, "bin/cluster", "submit", "--sink.types", "log", "--source.udp.port",
                                    String.valueOf(udpPort), "--window.size", "2s",
                                    // windows close by newer records only, so one is open at the savepoint
                                    "--window.idle-timeout", "10min")
                            .trim();
            assertThat(jobId).matches("[0-9a-f]{32}");
            UdpTestSender.awaitBoundSockets(udpPort, 2, Duration.ofSeconds(60));

            try (UdpTestSender sender = new UdpTestSender(udpPort)) {
                for (int i = 0; i < 40; i++) {
                    sender.send("hits:1|c");
                }
                sender.send("{\"metric\":\"a\",\"value\":1}\n{\"metric\":\"b\",\"value\":2}");
                sender.send("not a record");
            }

            String source = vertex(rest, jobId, "Source");
            Map<String, Double> metrics = new HashMap<>();
            List<String> names =
                    List.of(
                            "Source__UDP_telemetry_source.datagrams_received",
                            "Parse_records.records_parsed",
                            "Parse_records.reason.malformed.failed_events_count");
            long deadline = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < deadline) {
                metrics = metricSums(rest, jobId, source, names);
                if (metrics.getOrDefault(names.get(0), 0.0) >= 42 && metrics.getOrDefault(names.get(1), 0.0) >= 42) {
                    break;
                }
                Thread.sleep(500);
            }
            assertThat(metrics)
                    .containsEntry("Source__UDP_telemetry_source.datagrams_received", 42.0)
                    .containsEntry("Parse_records.records_parsed", 42.0)
                    .containsEntry("Parse_records.reason.malformed.failed_events_count", 1.0);

            // The Grafana dashboard asks Prometheus only for metrics the cluster's reporter serves.
            Set<String> served = prometheusMetricNames();
            Set<String> used = new TreeSet<>();
            Matcher m = Pattern.compile("flink_[A-Za-z_]+")
                    .matcher(Files.readString(ROOT.resolve("k8s-operator/dashboards/telemetry-aggregator.json")));
            while (m.find()) {
                used.add(m.group());
            }
            // Metrics of the InfluxDB sink, which this job does not run.
            used.removeAll(Set.of(
                    "flink_taskmanager_job_task_operator_sink_retries",
                    "flink_taskmanager_job_task_operator_sink_errors",
                    "flink_taskmanager_job_task_operator_sink_rejected_points"));
            assertThat(used).hasSizeGreaterThan(10);
            assertThat(served).containsAll(used);

            // Upgrade: stop with a savepoint while a window is open, resume at parallelism 1.
            // A minute ahead (within parse.max-future-skew): the records above, timed on arrival,
            // moved the watermark to now - 5 s.
            long b = (System.currentTimeMillis() / 2_000 + 30) * 2_000;
            try (UdpTestSender sender = new UdpTestSender(udpPort)) {
                sender.send(SavepointUpgradeITCase.upgrade(1, b + 100) + "\n" + SavepointUpgradeITCase.upgrade(2, b + 200));
            }
            Thread.sleep(1_500);
            String savepoint = run(env, "bin/cluster", "savepoint", jobId, dir.resolve("savepoints").toUri().toString()).trim();
            assertThat(savepoint).contains("savepoint-");
            String resumed =
                    run(env, "bin/cluster", "submit", "-p", "1", "--from", savepoint, "--sink.types", "log",
                                    "--source.udp.port", String.valueOf(udpPort), "--window.size", "2s",
                                    "--window.idle-timeout", "1s")
                            .trim();
            assertThat(resumed).matches("[0-9a-f]{32}").isNotEqualTo(jobId);
            awaitRunning(rest, resumed);
            UdpTestSender.awaitBoundSockets(udpPort, 1, Duration.ofSeconds(60));
            try (UdpTestSender sender = new UdpTestSender(udpPort)) {
                sender.send(SavepointUpgradeITCase.upgrade(4, b + 300));
            }
            Path log = dir.resolve("log/taskmanager.log");
            List<String> emitted = List.of();
            deadline = System.currentTimeMillis() + 60_000;
            while (emitted.isEmpty() && System.currentTimeMillis() < deadline) {
                Thread.sleep(500);
                emitted = Files.readAllLines(log).stream().filter(l -> l.contains("\"metric\":\"upgrade\"")).toList();
            }
            Thread.sleep(1_000);
            emitted = Files.readAllLines(log).stream().filter(l -> l.contains("\"metric\":\"upgrade\"")).toList();
            assertThat(emitted).hasSize(1);
            assertThat(emitted.get(0))
                    .endsWith(LocalStores.kafkaValue("upgrade", "d1", "{}", "sum", b, 7.0, 3).split(" => ")[1]);

            HTTP.send(
                    HttpRequest.newBuilder(URI.create(rest + "/jobs/" + resumed + "?mode=cancel"))
                            .method("PATCH", HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
        } finally {
            run(env, "bin/cluster", "stop");
        }
    }

    /** Metric names on the Prometheus reporter's ports of config.yaml (9249-9260). */
    private static Set<String> prometheusMetricNames() {
        Set<String> names = new TreeSet<>();
        for (int port = 9249; port <= 9260; port++) {
            try {
                for (String line : get("http://localhost:" + port + "/metrics").split("\n")) {
                    if (!line.startsWith("#") && !line.isBlank()) {
                        names.add(line.split("[{ ]", 2)[0]);
                    }
                }
            } catch (Exception e) {
                // nothing listens on this port
            }
        }
        return names;
    }

    private static void awaitRunning(String rest, String jobId) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            String state = JSON.readTree(get(rest + "/jobs/" + jobId)).path("state").asText();
            if (state.equals("RUNNING")) {
                return;
            }
            if (state.equals("FAILED") || System.currentTimeMillis() > deadline) {
                throw new AssertionError("Job " + jobId + " is " + state + ": "
                        + get(rest + "/jobs/" + jobId + "/exceptions"));
            }
            Thread.sleep(200);
        }
    }

    private static String vertex(String rest, String jobId, String nameStart) throws Exception {
        for (JsonNode v : JSON.readTree(get(rest + "/jobs/" + jobId)).path("vertices")) {
            if (v.path("name").asText().startsWith(nameStart)) {
                return v.path("id").asText();
            }
        }
        throw new AssertionError("No vertex " + nameStart + " in job " + jobId);
    }

    private static Map<String, Double> metricSums(String rest, String jobId, String vertex, List<String> names)
            throws Exception {
        Map<String, Double> sums = new HashMap<>();
        String body =
                get(rest + "/jobs/" + jobId + "/vertices/" + vertex + "/subtasks/metrics?get=" + String.join(",", names));
        for (JsonNode m : JSON.readTree(body)) {
            sums.put(m.path("id").asText(), m.path("sum").asDouble());
        }
        return sums;
    }

    private static String get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Runs one of the project's scripts from the repository root; fails with its output. */
    private static String run(Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile());
        pb.environment().putAll(env);
        pb.redirectErrorStream(false);
        Process p = pb.start();
        List<String> err = new ArrayList<>();
        Thread drain =
                new Thread(
                        () -> {
                            try {
                                err.add(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
                            } catch (IOException e) {
                                err.add(e.toString());
                            }
                        });
        drain.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).as(String.join(" ", command) + " finished").isTrue();
        drain.join();
        assertThat(p.exitValue()).as(String.join(" ", command) + " exit status; output: " + out + err).isZero();
        return out;
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
