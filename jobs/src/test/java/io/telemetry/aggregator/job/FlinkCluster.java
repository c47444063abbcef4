package io.telemetry.aggregator.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.telemetry.aggregator.services.Await;
import java.io.IOException;
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
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Flink session cluster started by {@code bin/cluster} (a JobManager and a TaskManager JVM
 * with flink-conf/config.yaml): it binds its REST and RPC ports itself and reports them, and is
 * driven the way users drive it, through the scripts and the REST API.
 */
final class FlinkCluster implements AutoCloseable {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Map<String, String> env;
    private final Path dir;
    final String rest;

    private FlinkCluster(Map<String, String> env, Path dir, String rest) {
        this.env = env;
        this.dir = dir;
        this.rest = rest;
    }

    /**
     * Starts the cluster with state and logs in {@code dir}; {@code dynamic} are more {@code -D
     * key=value} settings of both processes, as lines of config.yaml would be.
     */
    static FlinkCluster start(Path dir, String... dynamic) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("FLINK_CLUSTER_DIR", dir.toString());
        env.put("FLINK_REST_PORT", "0");
        env.put("FLINK_RPC_PORT", "0");
        List<String> settings = new ArrayList<>();
        for (String d : dynamic) {
            settings.add("-D");
            settings.add(d);
        }
        env.put("FLINK_DYNAMIC", String.join(" ", settings));
        run(env, "bin/cluster", "start");
        String port = Files.readString(dir.resolve("rest.port")).trim();
        return new FlinkCluster(env, dir, "http://localhost:" + port);
    }

    /** {@code bin/cluster submit args...}: the job id. */
    String submit(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bin/cluster", "submit"));
        command.addAll(List.of(args));
        String id = run(env, command.toArray(new String[0])).trim();
        assertThat(id).matches("[0-9a-f]{32}");
        return id;
    }

    /** {@code bin/cluster savepoint}: stops the job with a savepoint; its path. */
    String stopWithSavepoint(String jobId, Path target) throws Exception {
        return run(env, "bin/cluster", "savepoint", jobId, target.toUri().toString()).trim();
    }

    /**
     * Stops the job with a savepoint that first emits every open window, and waits until it has
     * finished: then it has written and committed all it ever will.
     */
    void drain(String jobId, Path target) throws Exception {
        String body =
                "{\"drain\":true,\"formatType\":\"CANONICAL\",\"targetDirectory\":\""
                        + target.toUri()
                        + "\"}";
        HttpResponse<String> r =
                HTTP.send(
                        HttpRequest.newBuilder(URI.create(rest + "/jobs/" + jobId + "/stop"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        Await.until(
                () -> state(jobId).equals("FINISHED"),
                TIMEOUT,
                () -> "job " + jobId + " is " + state(jobId));
    }

    /** Triggers a checkpoint of the job over REST and waits until it completed; its id. */
    long checkpoint(String jobId) throws Exception {
        HttpResponse<String> r =
                HTTP.send(
                        HttpRequest.newBuilder(URI.create(rest + "/jobs/" + jobId + "/checkpoints"))
                                .header("Content-Type", "application/json")
                                .POST(
                                        HttpRequest.BodyPublishers.ofString(
                                                "{\"checkpointType\":\"FULL\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        String trigger = JSON.readTree(r.body()).path("request-id").asText();
        long[] id = {-1};
        Await.until(
                () -> {
                    JsonNode status = json("/jobs/" + jobId + "/checkpoints/" + trigger);
                    if (!status.path("status").path("id").asText().equals("COMPLETED")) {
                        return false;
                    }
                    JsonNode operation = status.path("operation");
                    assertThat(operation.has("checkpointId"))
                            .as("checkpoint completed: " + status)
                            .isTrue();
                    id[0] = operation.path("checkpointId").asLong();
                    return true;
                },
                TIMEOUT,
                () -> "checkpoint " + trigger + " of job " + jobId);
        return id[0];
    }

    /** Kills the TaskManager's JVM with SIGKILL and waits until it is gone. */
    void killTaskManager() throws Exception {
        kill("taskmanager");
    }

    /** Kills the JobManager's JVM with SIGKILL and waits until it is gone. */
    void killJobManager() throws Exception {
        kill("jobmanager");
    }

    private void kill(String role) throws Exception {
        long pid = Long.parseLong(Files.readString(dir.resolve(role + ".pid")).trim());
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow();
        process.destroyForcibly(); // SIGKILL
        process.onExit().get(30, TimeUnit.SECONDS);
    }

    /** {@code bin/cluster taskmanager}: a new TaskManager registered with the JobManager. */
    void startTaskManager() throws Exception {
        run(env, "bin/cluster", "taskmanager");
    }

    void cancel(String jobId) throws Exception {
        HTTP.send(
                HttpRequest.newBuilder(URI.create(rest + "/jobs/" + jobId + "?mode=cancel"))
                        .method("PATCH", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.discarding());
        Await.until(
                () -> state(jobId).equals("CANCELED"),
                TIMEOUT,
                () -> "job " + jobId + " is " + state(jobId));
    }

    /** Waits until every task of the job runs; fails with the job's exceptions when it fails. */
    void awaitRunning(String jobId) throws Exception {
        Await.until(
                () -> {
                    JsonNode job = json("/jobs/" + jobId);
                    String state = job.path("state").asText();
                    if (state.equals("FAILED") || state.equals("CANCELED")) {
                        throw new AssertionError(
                                "Job "
                                        + jobId
                                        + " is "
                                        + state
                                        + ": "
                                        + get("/jobs/" + jobId + "/exceptions"));
                    }
                    if (!state.equals("RUNNING")) {
                        return false;
                    }
                    for (JsonNode v : job.path("vertices")) {
                        if (!v.path("status").asText().equals("RUNNING")) {
                            return false;
                        }
                    }
                    return true;
                },
                TIMEOUT,
                () -> "job " + jobId + " is " + state(jobId));
    }

    String state(String jobId) {
        return json("/jobs/" + jobId).path("state").asText();
    }

    /** Sums over the subtasks of the vertex whose name starts with {@code nameStart}. */
    Map<String, Double> metricSums(String jobId, String nameStart, List<String> names) {
        String vertex = null;
        for (JsonNode v : json("/jobs/" + jobId).path("vertices")) {
            if (v.path("name").asText().startsWith(nameStart)) {
                vertex = v.path("id").asText();
            }
        }
        assertThat(vertex).as("vertex " + nameStart + " of job " + jobId).isNotNull();
        Map<String, Double> sums = new HashMap<>();
        String path =
                "/jobs/"
                        + jobId
                        + "/vertices/"
                        + vertex
                        + "/subtasks/metrics?get="
                        + String.join(",", names);
        for (JsonNode m : json(path)) {
            sums.put(m.path("id").asText(), m.path("sum").asDouble());
        }
        return sums;
    }

    JsonNode json(String path) {
        try {
            return JSON.readTree(get(path));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    String get(String path) {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create(rest + path)).build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The TaskManager's log, where the log sink writes. */
    Path taskManagerLog() {
        return dir.resolve("log/taskmanager.log");
    }

    /**
     * The "host:port" endpoints of the Prometheus reporters of the JobManager and the TaskManager,
     * as their logs report them (config.yaml gives them a range of ports).
     */
    List<String> prometheusEndpoints() throws IOException {
        List<String> endpoints = new ArrayList<>();
        Pattern started = Pattern.compile("Started PrometheusReporter HTTP server on port (\\d+)");
        for (String role : List.of("jobmanager", "taskmanager")) {
            Matcher m = started.matcher(Files.readString(dir.resolve("log/" + role + ".log")));
            assertThat(m.find()).as("the " + role + "'s Prometheus reporter started").isTrue();
            endpoints.add("localhost:" + m.group(1));
        }
        return endpoints;
    }

    @Override
    public void close() throws Exception {
        run(env, "bin/cluster", "stop");
    }

    /** Runs one of the project's scripts from the repository root; fails with its output. */
    static String run(Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        List<String> err = new ArrayList<>();
        Thread drain =
                new Thread(
                        () -> {
                            try {
                                err.add(
                                        new String(
                                                p.getErrorStream().readAllBytes(),
                                                StandardCharsets.UTF_8));
                            } catch (IOException e) {
                                err.add(e.toString());
                            }
                        });
        drain.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(180, TimeUnit.SECONDS))
                .as(String.join(" ", command) + " finished")
                .isTrue();
        drain.join();
        assertThat(p.exitValue())
                .as(String.join(" ", command) + " exit status; output: " + out + err)
                .isZero();
        return out;
    }
}
