package io.telemetry.aggregator.services;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Prometheus ({@code prometheus} from Debian's package) on a free port, scraping the given targets
 * every second, with its data in a temporary folder; queried over its HTTP API.
 */
public final class PrometheusServer implements AutoCloseable {

    private final ChildProcess process;
    private final int port;

    private PrometheusServer(ChildProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /** The prometheus executable, or null when it is not installed. */
    public static String executable() {
        return ChildProcess.findExecutable("prometheus", "/usr/bin/prometheus");
    }

    /**
     * Starts Prometheus scraping {@code targets} ("host:port" of metric endpoints) every second.
     */
    public static PrometheusServer start(Path dir, List<String> targets)
            throws IOException, InterruptedException {
        String prometheus = executable();
        if (prometheus == null) {
            throw new IOException(
                    "prometheus is not installed: apt-get install -y --no-install-recommends prometheus"
                            + " (the CI script does)");
        }
        Files.createDirectories(dir);
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(
                config,
                "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                        + "scrape_configs:\n  - job_name: flink\n    static_configs:\n      - targets: ["
                        + targets.stream().map(t -> "'" + t + "'").collect(Collectors.joining(", "))
                        + "]\n",
                StandardCharsets.UTF_8);
        return ChildProcess.onFreePorts(
                1,
                ports -> {
                    ChildProcess process =
                            ChildProcess.start(
                                    "prometheus",
                                    List.of(
                                            prometheus,
                                            "--config.file=" + config,
                                            "--storage.tsdb.path=" + dir.resolve("data"),
                                            "--web.listen-address=127.0.0.1:" + ports[0]),
                                    dir);
                    PrometheusServer server = new PrometheusServer(process, ports[0]);
                    try {
                        process.awaitListening(ports[0], server::ready, Duration.ofSeconds(60));
                    } catch (IOException | InterruptedException e) {
                        server.close();
                        throw e;
                    }
                    return server;
                });
    }

    private boolean ready() {
        return ChildProcess.answers(url() + "/-/ready", 200);
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Evaluates a PromQL expression now; returns the API's JSON answer. */
    public String query(String promQl) throws IOException, InterruptedException {
        return get("/api/v1/query?query=" + URLEncoder.encode(promQl, StandardCharsets.UTF_8));
    }

    /** A GET of the HTTP API, e.g. {@code /api/v1/label/job_name/values}; the JSON answer. */
    public String get(String path) throws IOException, InterruptedException {
        return ChildProcess.get(url() + path, "Prometheus " + path);
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.close();
    }
}
