package io.telemetry.aggregator.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A StatsD server the job is compared with, on 127.0.0.1 and a port of the benchmark's: Etsy StatsD
 * (npm package {@code statsd}), collectd's statsd plugin and netdata's statsd server (Debian
 * packages {@code collectd-core} and {@code netdata-core}). {@code bin/benchmark} installs the
 * packages; Etsy StatsD is the one of {@code EtsyStatsdServer.home()}, which the tests use too.
 */
public final class StatsdPeer implements AutoCloseable {

    public final String name;
    public final int port;
    private final Process process;

    private StatsdPeer(String name, int port, Process process) {
        this.name = name;
        this.port = port;
        this.process = process;
    }

    public static List<String> names() {
        return List.of("etsy-statsd", "collectd", "netdata");
    }

    /** Whether the peer's program is installed where {@link #start} looks for it. */
    public static boolean installed(String name, Path statsdHome) {
        switch (name) {
            case "etsy-statsd":
                return Files.exists(statsdHome.resolve("node_modules/statsd/stats.js"));
            case "collectd":
                return Files.isExecutable(Path.of("/usr/sbin/collectd"));
            default:
                return Files.isExecutable(Path.of("/usr/sbin/netdata"));
        }
    }

    public static StatsdPeer start(String name, Path workDir, Path statsdHome) throws Exception {
        Path dir = workDir.resolve(name);
        Files.createDirectories(dir);
        // The peers bind without SO_REUSEPORT: a port held for them would keep them out. One
        // that was taken meanwhile makes the peer fail to start, which the wait below reports.
        int port;
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket(0)) {
            port = probe.getLocalPort();
        }
        ProcessBuilder pb;
        switch (name) {
            case "etsy-statsd":
                Files.writeString(
                        dir.resolve("config.js"),
                        "{ port: "
                                + port
                                + ", address: \"127.0.0.1\", "
                                + io.telemetry.aggregator.services.EtsyStatsdServer
                                        .managementSettings()
                                + ", flushInterval: 10000, backends: [] }\n");
                pb =
                        new ProcessBuilder(
                                "node",
                                statsdHome.resolve("node_modules/statsd/stats.js").toString(),
                                dir.resolve("config.js").toString());
                break;
            case "collectd":
                Files.writeString(
                        dir.resolve("collectd.conf"),
                        "Interval 10\nBaseDir \""
                                + dir
                                + "\"\nPIDFile \""
                                + dir.resolve("collectd.pid")
                                + "\"\n"
                                + "LoadPlugin statsd\n<Plugin statsd>\n  Host \"127.0.0.1\"\n  Port \""
                                + port
                                + "\"\n</Plugin>\n");
                pb =
                        new ProcessBuilder(
                                "/usr/sbin/collectd",
                                "-f",
                                "-C",
                                dir.resolve("collectd.conf").toString());
                break;
            case "netdata":
                Files.createDirectories(dir.resolve("cache"));
                Files.createDirectories(dir.resolve("lib"));
                Files.writeString(dir.resolve("netdata.conf"), netdataConfig(dir, port));
                pb =
                        new ProcessBuilder(
                                "/usr/sbin/netdata",
                                "-D",
                                "-c",
                                dir.resolve("netdata.conf").toString());
                break;
            default:
                throw new IllegalArgumentException("unknown peer " + name);
        }
        Process process =
                pb.redirectErrorStream(true)
                        .redirectOutput(dir.resolve("out.log").toFile())
                        .start();
        StatsdPeer peer = new StatsdPeer(name, port, process);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (KernelUdp.boundSockets(port) == 0) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                peer.close();
                throw new IllegalStateException(
                        name
                                + " did not listen on UDP "
                                + port
                                + "; see "
                                + dir.resolve("out.log"));
            }
            Thread.sleep(100);
        }
        return peer;
    }

    private static String netdataConfig(Path dir, int port) {
        StringBuilder plugins = new StringBuilder();
        for (String p :
                List.of(
                        "proc",
                        "diskspace",
                        "cgroups",
                        "tc",
                        "idlejitter",
                        "checks",
                        "apps",
                        "python.d",
                        "charts.d",
                        "go.d",
                        "node.d",
                        "ebpf",
                        "perf",
                        "slabinfo",
                        "timex",
                        "nfacct",
                        "freeipmi")) {
            plugins.append("    ").append(p).append(" = no\n");
        }
        return "[global]\n    run as user = root\n    hostname = benchmark\n"
                + "[db]\n    mode = ram\n    update every = 1\n"
                + "[logs]\n    debug = /dev/null\n    error = "
                + dir.resolve("error.log")
                + "\n    access = none\n"
                + "[web]\n    mode = none\n[ml]\n    enabled = no\n[health]\n    enabled = no\n"
                + "[plugins]\n    enable running new plugins = no\n"
                + plugins
                + "    statsd = yes\n"
                + "[statsd]\n    enabled = yes\n    bind to = udp:127.0.0.1:"
                + port
                + "\n"
                + "    update every (flushInterval) = 10\n"
                + "[directories]\n    cache = "
                + dir.resolve("cache")
                + "\n    lib = "
                + dir.resolve("lib")
                + "\n"
                + "    log = "
                + dir
                + "\n    config = "
                + dir
                + "\n    stock config = /usr/lib/netdata/conf.d\n";
    }

    /** CPU seconds of the peer and the processes it started. */
    public double cpuSeconds() {
        double cpu = ProcessStats.cpuSeconds(process.pid());
        for (ProcessHandle child : process.descendants().toList()) {
            cpu += ProcessStats.cpuSeconds(child.pid());
        }
        return cpu;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        for (ProcessHandle child : process.descendants().toList()) {
            child.destroy();
        }
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        for (ProcessHandle child : process.descendants().toList()) {
            child.destroyForcibly();
        }
    }
}
