package io.telemetry.aggregator.services;

import java.io.File;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * QuestDB as a child JVM on a free port: a real server that accepts InfluxDB line protocol on the
 * v2 write API ({@code /api/v2/write}, which InfluxDB 2.x and 3.x clients use) and is read back
 * with SQL over {@code /exec}.
 */
public final class QuestDbServer implements AutoCloseable {

    private final ChildProcess process;
    private final int port;

    private QuestDbServer(ChildProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    public static QuestDbServer start(Path dir) throws IOException, InterruptedException {
        return ChildProcess.onFreePorts(1, ports -> start(dir, ports[0]));
    }

    private static QuestDbServer start(Path dir, int port)
            throws IOException, InterruptedException {
        Path conf = dir.resolve("root").resolve("conf");
        Files.createDirectories(conf);
        Files.writeString(
                conf.resolve("server.conf"),
                String.join(
                        "\n",
                        "http.bind.to=127.0.0.1:" + port,
                        "http.min.enabled=false",
                        "pg.enabled=false",
                        "line.tcp.enabled=false",
                        "line.udp.enabled=false",
                        "telemetry.enabled=false",
                        "shared.worker.count=1",
                        "http.worker.count=1",
                        "cairo.max.uncommitted.rows=1",
                        "line.http.enabled=true",
                        ""),
                StandardCharsets.UTF_8);
        ChildProcess process =
                ChildProcess.start(
                        "questdb",
                        java.util.List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xmx512m",
                                "-cp",
                                questDbJar(),
                                "io.questdb.ServerMain",
                                "-d",
                                dir.resolve("root").toString()),
                        dir);
        QuestDbServer server = new QuestDbServer(process, port);
        try {
            process.awaitListening(port, server::isUp, Duration.ofSeconds(90));
        } catch (IOException | InterruptedException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private static String questDbJar() throws IOException {
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (new File(entry).getName().matches("questdb-[0-9.]+\\.jar")) {
                return entry;
            }
        }
        throw new IOException("questdb jar not on the class path");
    }

    private boolean isUp() {
        try {
            return exec("SELECT 1").contains("\"dataset\"");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Runs a SQL query over {@code /exec}; returns the JSON answer. */
    public String exec(String sql) throws IOException, InterruptedException {
        return ChildProcess.get(
                url() + "/exec?query=" + URLEncoder.encode(sql, StandardCharsets.UTF_8),
                "QuestDB query");
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.close();
    }
}
