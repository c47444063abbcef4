package io.telemetry.aggregator.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.telemetry.aggregator.services.Ports;
import io.telemetry.aggregator.services.UdpPortReservation;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The job as a user runs it on one machine ({@code LocalRunner}: a local Flink cluster with the
 * REST API), in its own JVM, with its aggregates written to a file, and its metrics read over REST.
 */
public final class JobProcess implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public final Process process;
    public final int udpPort;
    public final int restPort;
    public final Path aggregates;
    private String jobId;

    private JobProcess(Process process, int udpPort, int restPort, Path aggregates) {
        this.process = process;
        this.udpPort = udpPort;
        this.restPort = restPort;
        this.aggregates = aggregates;
    }

    /**
     * Starts the job from the repository's build ({@code jobs/target/classes} and the class path
     * {@code mvn package} writes) with the given settings, and waits until its readers listen. Its
     * UDP port is held for it until its readers have bound it; its REST port is picked free and,
     * when something else took it first, picked again.
     */
    public static JobProcess start(
            Path root, Path workDir, String heap, int parallelism, List<String> settings)
            throws Exception {
        Path classes = root.resolve("jobs/target/classes");
        Path classpath = root.resolve("jobs/target/local-run-classpath.txt");
        if (!Files.exists(classpath)) {
            throw new IllegalStateException(
                    classpath + " is missing: run mvn -B package -DskipTests first");
        }
        Files.createDirectories(workDir);
        Path aggregates = workDir.resolve("aggregates.log");
        for (int attempt = 1; ; attempt++) {
            Files.deleteIfExists(aggregates);
            int restPort = Ports.freeTcp(1)[0];
            UdpPortReservation udp = UdpPortReservation.reserve("127.0.0.1");
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions(root, heap));
            command.add("-Dlog4j.configurationFile=" + log4jConfig(workDir));
            command.add("-Dbenchmark.aggregates=" + aggregates);
            command.add("-cp");
            command.add(classes + ":" + Files.readString(classpath).trim());
            command.add("io.telemetry.aggregator.job.LocalRunner");
            command.addAll(
                    List.of(
                            "--rest.port", String.valueOf(restPort),
                            "--source.udp.bind-address", "127.0.0.1",
                            "--source.udp.port", String.valueOf(udp.port()),
                            "--sink.types", "log",
                            "--parallelism.default", String.valueOf(parallelism),
                            "--taskmanager.numberOfTaskSlots", String.valueOf(parallelism)));
            command.addAll(settings);
            Process process =
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(workDir.resolve("job.log").toFile())
                            .start();
            JobProcess job = new JobProcess(process, udp.port(), restPort, aggregates);
            try {
                job.awaitListening(
                        udp,
                        parallelism,
                        socketsPerReader(settings),
                        Duration.ofSeconds(90),
                        workDir.resolve("job.log"));
                return job;
            } catch (IllegalStateException e) {
                job.close();
                if (attempt == 3 || process.isAlive() || !Ports.anyTaken(restPort)) {
                    throw e;
                }
            } finally {
                udp.close();
            }
        }
    }

    /**
     * The JVM options the job ships with for a local run ({@code flink-conf/local-jvm.options},
     * which {@code bin/run-local} uses), with {@code -Xms}/{@code -Xmx} set to {@code heap} when it
     * is not null, and the {@code benchmark.jobJvmArgs} system property's options appended (e.g.
     * {@code -XX:StartFlightRecording=...}).
     */
    public static List<String> jvmOptions(Path root, String heap) throws IOException {
        List<String> options = new ArrayList<>();
        for (String line : Files.readAllLines(root.resolve("flink-conf/local-jvm.options"))) {
            String option = line.trim();
            if (option.isEmpty() || option.startsWith("#")) {
                continue;
            }
            if (heap != null && (option.startsWith("-Xms") || option.startsWith("-Xmx"))) {
                option = option.substring(0, 4) + heap;
            }
            options.add(option);
        }
        String extra = System.getProperty("benchmark.jobJvmArgs", "").trim();
        if (!extra.isEmpty()) {
            options.addAll(List.of(extra.split("\\s+")));
        }
        return options;
    }

    private static Path log4jConfig(Path workDir) throws IOException {
        Path config = workDir.resolve("log4j-benchmark.properties");
        try (var in = JobProcess.class.getResourceAsStream("/log4j-benchmark.properties")) {
            Files.write(config, in.readAllBytes());
        }
        return config;
    }

    /** The job's {@code source.udp.sockets-per-reader} among {@code settings}, or its default. */
    static int socketsPerReader(List<String> settings) {
        int i = settings.lastIndexOf("--source.udp.sockets-per-reader");
        return i >= 0 && i + 1 < settings.size()
                ? Integer.parseInt(settings.get(i + 1))
                : UdpPortReservation.SOCKETS_PER_READER;
    }

    private void awaitListening(
            UdpPortReservation udp, int readers, int socketsPerReader, Duration timeout, Path log)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        udp.awaitJobSockets(readers, socketsPerReader, timeout, process::isAlive);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the job exited: " + Files.readString(log));
            }
            if (Ports.listening(process.pid(), restPort) && jobId() != null) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(
                "the job did not listen within " + timeout + "; see " + log);
    }

    /** The running job's id, or null before it runs. */
    public String jobId() {
        if (jobId == null) {
            try {
                for (JsonNode j : JSON.readTree(get("/jobs")).path("jobs")) {
                    if (j.path("status").asText().equals("RUNNING")) {
                        jobId = j.path("id").asText();
                    }
                }
            } catch (Exception e) {
                return null;
            }
        }
        return jobId;
    }

    /**
     * A metric summed over the subtasks of the vertex whose name starts with {@code vertex}, as the
     * REST API has it now; 0 before it has any value.
     */
    public double metric(String vertex, String metric) throws Exception {
        double v = metricOrNaN(vertex, metric);
        return Double.isNaN(v) ? 0 : v;
    }

    /**
     * A metric as {@link #metric}, asked again for up to 20 s while the REST API has no value for
     * it (its fetch from a busy TaskManager can time out); NaN if it never comes.
     */
    public double awaitMetric(String vertex, String metric) throws Exception {
        // The REST API answers from a store it refreshes only when asked: ask, wait, ask again.
        metricOrNaN(vertex, metric);
        Thread.sleep(1_000);
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            double v = metricOrNaN(vertex, metric);
            if (!Double.isNaN(v) || System.nanoTime() > deadline) {
                return v;
            }
            Thread.sleep(500);
        }
    }

    /** A job-level metric such as {@code numRestarts}; NaN when the REST API has none. */
    public double jobMetric(String metric) throws Exception {
        for (JsonNode m : JSON.readTree(get("/jobs/" + jobId() + "/metrics?get=" + metric))) {
            return m.path("value").asDouble();
        }
        return Double.NaN;
    }

    private double metricOrNaN(String vertex, String metric) throws Exception {
        for (JsonNode v : JSON.readTree(get("/jobs/" + jobId())).path("vertices")) {
            if (v.path("name").asText().startsWith(vertex)) {
                String body =
                        get(
                                "/jobs/"
                                        + jobId()
                                        + "/vertices/"
                                        + v.path("id").asText()
                                        + "/subtasks/metrics?get="
                                        + metric);
                for (JsonNode m : JSON.readTree(body)) {
                    return m.path("sum").asDouble();
                }
                return Double.NaN;
            }
        }
        throw new IllegalStateException("no vertex " + vertex);
    }

    private String get(String path) throws Exception {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + restPort + path))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
