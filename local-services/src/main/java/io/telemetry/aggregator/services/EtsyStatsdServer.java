package io.telemetry.aggregator.services;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.telemetry.aggregator.udp.reader.KernelSocketTable;
import java.io.IOException;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Etsy StatsD 0.9.0 (npm package {@code statsd}, run by Node.js) on 127.0.0.1, with a backend that
 * appends every flush as one JSON line (counters, gauges, timer_data, sets) to a file the test
 * reads: the reference for what StatsD lines mean.
 *
 * <p>The package is installed once into {@code ~/.cache/telemetry-aggregator/etsy-statsd-0.9.0} (or
 * {@code $TELEMETRY_ETSY_STATSD_HOME}) with npm when it is not there yet.
 */
public final class EtsyStatsdServer implements AutoCloseable {

    public static final String VERSION = "0.9.0";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The flush backend: sets as arrays of their members, everything else as StatsD has it. */
    private static final String BACKEND =
            "const fs = require('fs');\n"
                    + "exports.init = function (startup, config, events) {\n"
                    + "  events.on('flush', function (timestamp, metrics) {\n"
                    + "    const sets = {};\n"
                    + "    for (const k in metrics.sets) { sets[k] = metrics.sets[k].values(); }\n"
                    + "    fs.appendFileSync(config.jsonFlushFile, JSON.stringify({\n"
                    + "      timestamp: timestamp, counters: metrics.counters,\n"
                    + "      gauges: metrics.gauges, timer_data: metrics.timer_data, sets: sets\n"
                    + "    }) + '\\n');\n"
                    + "  });\n"
                    + "  return true;\n"
                    + "};\n";

    private final ChildProcess process;
    private final int port;
    private final Path flushes;

    private EtsyStatsdServer(ChildProcess process, int port, Path flushes) {
        this.process = process;
        this.port = port;
        this.flushes = flushes;
    }

    /** Where the package is (installed there first when it is not). */
    public static Path home() throws IOException, InterruptedException {
        String configured = System.getenv("TELEMETRY_ETSY_STATSD_HOME");
        Path home =
                configured != null
                        ? Path.of(configured)
                        : Path.of(
                                System.getProperty("user.home"),
                                ".cache",
                                "telemetry-aggregator",
                                "etsy-statsd-" + VERSION);
        if (!Files.exists(statsJs(home))) {
            if (ChildProcess.findExecutable("npm", "/usr/bin/npm") == null) {
                throw new IOException(
                        "Etsy StatsD needs Node.js and npm: apt-get install npm (.ci/run does)");
            }
            Files.createDirectories(home);
            ChildProcess.run(
                    "npm-install-statsd",
                    List.of(
                            "npm",
                            "install",
                            "--no-audit",
                            "--no-fund",
                            "--prefix",
                            home.toString(),
                            "statsd@" + VERSION),
                    home,
                    Duration.ofMinutes(5));
        }
        return home;
    }

    private static Path statsJs(Path home) {
        return home.resolve("node_modules/statsd/stats.js");
    }

    /**
     * StatsD's management interface (TCP, 8126 unless set) on a free loopback port: two StatsD at
     * once, or any other use of 8126 on the machine, would otherwise stop the second one.
     */
    public static String managementSettings() throws IOException {
        return "mgmt_address: \"127.0.0.1\", mgmt_port: " + Ports.freeTcp(1)[0];
    }

    /**
     * Starts StatsD in {@code dir}, flushing every {@code flushInterval}, with these percentiles
     * ({@code upper_N}, {@code mean_N}, ...) in its timer data.
     */
    public static EtsyStatsdServer start(Path dir, Duration flushInterval, int... percentiles)
            throws IOException, InterruptedException {
        Path home = home();
        Files.createDirectories(dir);
        Path backend = dir.resolve("json-flush-backend.js");
        Files.writeString(backend, BACKEND, StandardCharsets.UTF_8);
        Path flushes = dir.resolve("flushes.jsonl");
        Files.deleteIfExists(flushes);
        for (int attempt = 1; ; attempt++) {
            int port;
            try (DatagramSocket probe = new DatagramSocket(0)) {
                port = probe.getLocalPort();
            }
            Path config = dir.resolve("config.js");
            Files.writeString(
                    config,
                    "{ port: "
                            + port
                            + ", address: \"127.0.0.1\", "
                            + managementSettings()
                            + ", flushInterval: "
                            + flushInterval.toMillis()
                            + ", percentThreshold: ["
                            + java.util.Arrays.stream(percentiles)
                                    .mapToObj(String::valueOf)
                                    .collect(Collectors.joining(", "))
                            + "], backends: [\""
                            + backend
                            + "\"], jsonFlushFile: \""
                            + flushes
                            + "\" }\n",
                    StandardCharsets.UTF_8);
            ChildProcess process =
                    ChildProcess.start(
                            "etsy-statsd",
                            List.of("node", statsJs(home).toString(), config.toString()),
                            dir);
            try {
                process.awaitReady(
                        () -> !KernelSocketTable.socketsOnPort(port).isEmpty(),
                        Duration.ofSeconds(30));
                return new EtsyStatsdServer(process, port, flushes);
            } catch (IOException e) {
                // Another socket may have taken the port between the probe and StatsD's bind.
                String tail = process.tail();
                process.close();
                if (attempt == 5 || !tail.contains("EADDRINUSE")) {
                    throw e;
                }
            }
        }
    }

    public int port() {
        return port;
    }

    /** Every flush so far, oldest first. */
    public List<JsonNode> flushes() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(flushes)) {
            return out;
        }
        for (String line : Files.readAllLines(flushes, StandardCharsets.UTF_8)) {
            if (line.endsWith("}")) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    @Override
    public void close() {
        process.close();
    }
}
