package io.telemetry.aggregator.services;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * InfluxDB 1.x ({@code influxd} from Debian's {@code influxdb} package) on free ports, with its
 * data in a temporary folder. It speaks the v1 API: {@code /write}, {@code /query}.
 */
public final class InfluxDbServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final List<String> command;
    private final int port;
    private ChildProcess process;

    private InfluxDbServer(Path dir, List<String> command, int port) {
        this.dir = dir;
        this.command = command;
        this.port = port;
    }

    /** The influxd executable, or null when InfluxDB is not installed. */
    public static String executable() {
        return ChildProcess.findExecutable("influxd", "/usr/bin/influxd");
    }

    public static InfluxDbServer start(Path dir) throws IOException, InterruptedException {
        String influxd = executable();
        if (influxd == null) {
            throw new IOException(
                    "influxd is not installed: apt-get install -y influxdb (the CI script does)");
        }
        return ChildProcess.onFreePorts(2, ports -> start(dir, influxd, ports[0], ports[1]));
    }

    private static InfluxDbServer start(Path dir, String influxd, int port, int rpcPort)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path config = dir.resolve("influxdb.conf");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "reporting-disabled = true",
                        "bind-address = \"127.0.0.1:" + rpcPort + "\"",
                        "[meta]",
                        "  dir = \"" + dir.resolve("meta") + "\"",
                        "[data]",
                        "  dir = \"" + dir.resolve("data") + "\"",
                        "  wal-dir = \"" + dir.resolve("wal") + "\"",
                        "  query-log-enabled = false",
                        "[monitor]",
                        "  store-enabled = false",
                        "[http]",
                        "  bind-address = \"127.0.0.1:" + port + "\"",
                        "  log-enabled = false",
                        ""),
                StandardCharsets.UTF_8);
        InfluxDbServer server =
                new InfluxDbServer(
                        dir, List.of(influxd, "run", "-config", config.toString()), port);
        server.startProcess();
        return server;
    }

    private void startProcess() throws IOException, InterruptedException {
        process = ChildProcess.start("influxd", command, dir);
        try {
            process.awaitListening(port, this::ping, Duration.ofSeconds(30));
        } catch (IOException | InterruptedException e) {
            close();
            throw e;
        }
    }

    /** Stops the server (SIGTERM, by PID), keeping its data for {@link #restart()}. */
    public void stop() {
        process.close();
    }

    /** Starts the stopped server again on the same port with the same data. */
    public void restart() throws IOException, InterruptedException {
        startProcess();
    }

    private boolean ping() {
        return ChildProcess.answers(url() + "/ping", 204);
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /**
     * Runs an InfluxQL statement ({@code CREATE DATABASE x}, {@code SELECT ...}); returns the JSON.
     */
    public String query(String database, String influxQl) throws IOException, InterruptedException {
        String form =
                "q="
                        + java.net.URLEncoder.encode(influxQl, StandardCharsets.UTF_8)
                        + (database == null ? "" : "&db=" + database)
                        + "&epoch=ms";
        HttpResponse<String> r =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create(url() + "/query"))
                                        .header("Content-Type", "application/x-www-form-urlencoded")
                                        .POST(HttpRequest.BodyPublishers.ofString(form))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("InfluxDB query failed with " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    /**
     * Every point of a database as {@code measurement {tag=value, ...} value xcount @time} (time in
     * epoch milliseconds), sorted; a database without points has none.
     */
    public List<String> points(String database) throws IOException, InterruptedException {
        JsonNode result =
                JSON.readTree(query(database, "SELECT * FROM /.*/")).path("results").path(0);
        List<String> points = new ArrayList<>();
        for (JsonNode series : result.path("series")) {
            List<String> columns = new ArrayList<>();
            series.path("columns").forEach(c -> columns.add(c.asText()));
            for (JsonNode row : series.path("values")) {
                Map<String, String> tags = new TreeMap<>();
                for (int i = 0; i < columns.size(); i++) {
                    if (!row.get(i).isNull()) {
                        tags.put(columns.get(i), row.get(i).asText());
                    }
                }
                String value = tags.remove("value");
                String count = tags.remove("count");
                String time = tags.remove("time");
                points.add(
                        series.path("name").asText()
                                + " "
                                + tags
                                + " "
                                + value
                                + " x"
                                + count
                                + " @"
                                + time);
            }
        }
        points.sort(null);
        return points;
    }

    /** Writes line protocol to a database with millisecond timestamps. */
    public void write(String database, String lines) throws IOException, InterruptedException {
        HttpResponse<String> r =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        url()
                                                                + "/write?precision=ms&db="
                                                                + database))
                                        .POST(HttpRequest.BodyPublishers.ofString(lines))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 204) {
            throw new IOException("InfluxDB write failed with " + r.statusCode() + ": " + r.body());
        }
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.close();
    }
}
