package io.telemetry.aggregator.tools;

import io.telemetry.aggregator.operators.OperatorNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The throughput benchmark: starts the job on this machine, drives it with the load generator (its
 * own JVM, pinned to one vCPU with taskset) at increasing rates, and prints one table row per rate:
 * offered and received datagrams and records, kernel drops (RcvbufErrors and the job's {@code
 * kernel_drops}), whether every aggregate was exact, the job's CPU and peak memory, and the
 * window-to-sink latency. With {@code --peers}, the same StatsD load goes to Etsy StatsD, collectd
 * and netdata, and the ratios are printed.
 *
 * <p>With {@code --overload}, each scenario runs three phases back to back instead: its rate for
 * {@code --seconds}, three times that rate for {@code --overload-seconds} (60), and its rate again;
 * each phase is a row, followed by the job's restarts and whether its {@code kernel_drops} metric
 * counted every datagram the kernel dropped.
 *
 * <p>Usage: {@code bin/benchmark [--quick] [--scenarios a,b,...] [--seconds 20] [--rate N]
 * [--peers] [--overload [--overload-seconds 60]]}.
 */
public final class Benchmark {

    /** The job's window size unless {@code --window} says otherwise. */
    private static final long DEFAULT_WINDOW_MS = 10_000;

    private static final long OUT_OF_ORDERNESS_MS = 5_000;

    /** New series per second in the burst scenario's flood: 20,000 datagrams of 10 records. */
    static final int FLOOD_DATAGRAMS_PER_SECOND = 20_000;

    /** One job configuration driven at several rates. */
    static final class Scenario {
        final String name;
        final LoadGenerator.Format format;
        final int recordsPerDatagram;
        final int series;
        final String backend;
        final int[] rates;
        final boolean timestamps;

        Scenario(
                String name,
                LoadGenerator.Format format,
                int recordsPerDatagram,
                int series,
                String backend,
                boolean timestamps,
                int... rates) {
            this.name = name;
            this.format = format;
            this.recordsPerDatagram = recordsPerDatagram;
            this.series = series;
            this.backend = backend;
            this.timestamps = timestamps;
            this.rates = rates;
        }
    }

    static final Map<String, Scenario> SCENARIOS = new LinkedHashMap<>();

    static {
        add(
                new Scenario(
                        "statsd-1",
                        LoadGenerator.Format.STATSD,
                        1,
                        1_000,
                        "hashmap",
                        false,
                        20_000,
                        50_000,
                        100_000,
                        200_000,
                        400_000));
        add(
                new Scenario(
                        "statsd-10",
                        LoadGenerator.Format.STATSD,
                        10,
                        1_000,
                        "hashmap",
                        false,
                        20_000,
                        50_000,
                        120_000,
                        200_000));
        add(
                new Scenario(
                        "json-10",
                        LoadGenerator.Format.JSON,
                        10,
                        1_000,
                        "hashmap",
                        false,
                        20_000,
                        50_000,
                        100_000,
                        150_000));
        add(
                new Scenario(
                        "drone-10",
                        LoadGenerator.Format.DRONE,
                        10,
                        1_000,
                        "hashmap",
                        false,
                        50_000,
                        100_000));
        add(
                new Scenario(
                        "gpu-10",
                        LoadGenerator.Format.GPU,
                        10,
                        1_000,
                        "hashmap",
                        false,
                        20_000,
                        60_000,
                        100_000));
        add(
                new Scenario(
                        "line-10",
                        LoadGenerator.Format.LINE,
                        10,
                        1_000,
                        "hashmap",
                        false,
                        50_000,
                        100_000));
        add(
                new Scenario(
                        "series-100k",
                        LoadGenerator.Format.STATSD,
                        10,
                        100_000,
                        "hashmap",
                        false,
                        10_000,
                        20_000,
                        40_000));
        add(
                new Scenario(
                        "series-1m",
                        LoadGenerator.Format.STATSD,
                        10,
                        1_000_000,
                        "hashmap",
                        false,
                        10_000,
                        20_000));
        add(
                new Scenario(
                        "rocksdb-statsd-1",
                        LoadGenerator.Format.STATSD,
                        1,
                        1_000,
                        "rocksdb",
                        false,
                        50_000,
                        100_000,
                        200_000));
        add(
                new Scenario(
                        "rocksdb-100k",
                        LoadGenerator.Format.STATSD,
                        10,
                        100_000,
                        "rocksdb",
                        false,
                        10_000,
                        20_000));
        add(
                new Scenario(
                        "rocksdb-1m",
                        LoadGenerator.Format.STATSD,
                        10,
                        1_000_000,
                        "rocksdb",
                        false,
                        10_000));
        add(new Scenario("quick", LoadGenerator.Format.JSON, 2, 50, "hashmap", false, 200));
        // Cardinality burst: 50 well-behaved series (JSON, one device each) at the given rate
        // while StatsD floods the job with FLOOD_RECORDS_PER_SECOND new series (a new metric name
        // in every record, from one sender), for the whole run.
        add(new Scenario("burst", LoadGenerator.Format.JSON, 1, 50, "hashmap", false, 1_000));
    }

    private static void add(Scenario s) {
        SCENARIOS.put(s.name, s);
    }

    static final String HEADER =
            "| target | scenario | rate asked (dgram/s) | sent (dgram/s) | sent (records/s) | received (dgram/s) | kernel drops: socket / job metric / RcvbufErrors | lost | exact | CPU (vCPU) | peak RSS (MiB) | latency p50 / p99 (ms) | journal: disk writes (MiB/s) / peak backlog (MiB) / backlog gone (s after the send) |\n"
                    + "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |";

    private final Path root;
    private final Path work;
    private final double seconds;
    private final String receiveBuffer;

    /** More job settings from {@code --set key=value}, as {@code --key value} pairs. */
    private final List<String> extraSettings;

    /** The job JVM's heap (-Xms and -Xmx) from --heap; null for the shipped one. */
    private final String heap;

    private final List<String> rows = new ArrayList<>();

    /** Whether the job runs with its write-ahead journal (source.udp.journal.enabled). */
    boolean journal = true;

    /** The job's window size (window.size), which the expected aggregates follow. */
    long windowMs = DEFAULT_WINDOW_MS;

    /** Sockets the load generator sends from (its --senders): one per device it stands for. */
    int senders = LoadGenerator.DEFAULT_SENDERS;

    /** Highest lossless offered datagram rate per target and scenario, for the ratios. */
    private final Map<String, Double> lossless = new HashMap<>();

    /** Every peer and scenario run ("peer|scenario"), with the lowest rate offered to it. */
    private final java.util.Set<String> peerRuns = new java.util.HashSet<>();

    private final Map<String, Double> peerLowestRate = new HashMap<>();

    Benchmark(
            Path root,
            Path work,
            double seconds,
            String receiveBuffer,
            List<String> extraSettings,
            String heap) {
        this.heap = heap;
        this.extraSettings = extraSettings;
        this.root = root;
        this.work = work;
        this.seconds = seconds;
        this.receiveBuffer = receiveBuffer;
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(Path.of(System.getProperty("benchmark.root", ".")), args));
    }

    /** Runs the benchmark from the repository at {@code root}; returns the exit status. */
    public static int run(Path repository, String[] args) throws Exception {
        Path root = repository.toAbsolutePath().normalize();
        double seconds = 20;
        List<String> scenarios =
                new ArrayList<>(
                        List.of(
                                "statsd-1",
                                "statsd-10",
                                "json-10",
                                "drone-10",
                                "gpu-10",
                                "line-10",
                                "series-100k",
                                "series-1m",
                                "rocksdb-statsd-1",
                                "rocksdb-100k",
                                "rocksdb-1m"));
        boolean peers = false;
        boolean jobRuns = true;
        Integer rateOverride = null;
        boolean overload = false;
        double overloadSeconds = 60;
        String receiveBuffer = null; // the job's default
        String heap = null; // the shipped -Xms/-Xmx of flink-conf/local-jvm.options
        List<String> extraSettings = new ArrayList<>();
        List<Boolean> journalModes = List.of(true); // as shipped
        long windowMs = DEFAULT_WINDOW_MS;
        int senders = LoadGenerator.DEFAULT_SENDERS;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick":
                    scenarios = List.of("quick");
                    seconds = 2;
                    break;
                case "--scenarios":
                    scenarios = List.of(args[++i].split(","));
                    break;
                case "--seconds":
                    seconds = Double.parseDouble(args[++i]);
                    break;
                case "--rate":
                    rateOverride = Integer.parseInt(args[++i]);
                    break;
                case "--peers":
                    peers = true;
                    break;
                case "--peers-only":
                    peers = true;
                    jobRuns = false;
                    break;
                case "--overload":
                    overload = true;
                    break;
                case "--set":
                    String[] kv = args[++i].split("=", 2);
                    if (kv.length != 2) {
                        System.err.println(
                                "--set takes key=value, e.g. --set execution.checkpointing.interval=60s");
                        return 2;
                    }
                    extraSettings.addAll(List.of("--" + kv[0], kv[1]));
                    break;
                case "--heap":
                    heap = args[++i];
                    break;
                case "--window":
                    String window = args[++i];
                    if (!window.matches("[1-9][0-9]*s")) {
                        System.err.println("--window takes whole seconds, e.g. 60s, not " + window);
                        return 2;
                    }
                    windowMs = Long.parseLong(window.substring(0, window.length() - 1)) * 1_000;
                    break;
                case "--receive-buffer":
                    receiveBuffer = args[++i];
                    break;
                case "--overload-seconds":
                    overloadSeconds = Double.parseDouble(args[++i]);
                    break;
                case "--senders":
                    senders = Integer.parseInt(args[++i]);
                    if (senders < 1) {
                        System.err.println("--senders takes 1 or more sockets, not " + senders);
                        return 2;
                    }
                    break;
                case "--journal":
                    String mode = args[++i];
                    journalModes =
                            switch (mode) {
                                case "on" -> List.of(true);
                                case "off" -> List.of(false);
                                case "both" -> List.of(true, false);
                                default -> null;
                            };
                    if (journalModes == null) {
                        System.err.println("--journal takes on, off or both, not " + mode);
                        return 2;
                    }
                    break;
                default:
                    System.err.println(
                            "usage: bin/benchmark [--quick] [--scenarios "
                                    + String.join(",", SCENARIOS.keySet())
                                    + "] [--seconds 20] [--rate dgram/s] [--peers | --peers-only] [--overload [--overload-seconds 60]]"
                                    + " [--receive-buffer 16mb] [--rmem-max BYTES] [--set key=value ...] [--heap 2g] [--journal on|off|both] [--window 10s] [--senders 8]");
                    return 2;
            }
        }
        Path work = root.resolve("target/benchmark");
        Files.createDirectories(work);
        Benchmark b = new Benchmark(root, work, seconds, receiveBuffer, extraSettings, heap);
        b.windowMs = windowMs;
        b.senders = senders;
        System.out.printf(
                Locale.ROOT,
                "job JVM options: %s%n",
                String.join(" ", JobProcess.jvmOptions(root, heap)));
        System.out.printf(
                Locale.ROOT,
                "net.core.rmem_max %s bytes; the job asks for %s socket buffers (source.udp.receive-buffer)%s%n%n",
                KernelUdp.receiveBufferMax(),
                receiveBuffer == null ? "its default" : receiveBuffer,
                extraSettings.isEmpty() ? "" : "; job settings " + String.join(" ", extraSettings));
        System.out.println(HEADER);
        boolean allExact = true;
        for (String name : scenarios) {
            Scenario s = SCENARIOS.get(name);
            if (s == null) {
                System.err.println(
                        "unknown scenario " + name + "; scenarios: " + SCENARIOS.keySet());
                return 2;
            }
            int[] rates = rateOverride == null ? s.rates : new int[] {rateOverride};
            for (boolean journal : journalModes) {
                b.journal = journal;
                if (s.name.equals("burst")) {
                    allExact &= b.runBurst(s, rates[0]);
                } else if (overload) {
                    allExact &= b.runOverload(s, rates[rates.length - 1], overloadSeconds);
                } else if (jobRuns) {
                    allExact &= b.runJob(s, rates);
                }
            }
        }
        if (peers) {
            for (String name : scenarios) {
                Scenario s = SCENARIOS.get(name);
                if (s.format == LoadGenerator.Format.STATSD
                        && !s.timestamps
                        && s.series <= 1_000
                        && s.backend.equals("hashmap")) {
                    int[] rates = rateOverride == null ? s.rates : new int[] {rateOverride};
                    for (String peer : StatsdPeer.names()) {
                        b.runPeer(peer, s, rates);
                    }
                }
            }
            b.printRatios();
        }
        System.out.println();
        System.out.println(
                allExact
                        ? "no job run wrote a wrong aggregate (rows with lost datagrams cannot be"
                                + " exact and say \"no (loss)\")"
                        : "SOME JOB RUNS WROTE WRONG AGGREGATES WITHOUT A LOSS (see above)");
        return allExact ? 0 : 1;
    }

    /**
     * The burst scenario: the well-behaved traffic at {@code rate} with a concurrent flood of new
     * series; returns whether the well-behaved aggregates were exact. Prints the flood's refused
     * records as the job counted them.
     */
    boolean runBurst(Scenario calm, int rate) throws Exception {
        Scenario flood =
                new Scenario(
                        "flood",
                        LoadGenerator.Format.STATSD,
                        10,
                        1_000_000_000,
                        calm.backend,
                        false,
                        FLOOD_DATAGRAMS_PER_SECOND);
        try (JobProcess job =
                JobProcess.start(root, work.resolve("job-burst"), heap, 2, jobSettings(calm))) {
            System.err.println("job of burst: pid " + job.pid() + ", web UI " + job.restPort);
            sendFromOwnProcess(calm, rate, job.udpPort, "warmup.", null, Math.min(seconds, 5));
            Thread.sleep(1_500);
            ProcessStats.resetPeak(job.pid());
            double cpu0 = ProcessStats.cpuSeconds(job.pid());
            long portDrops0 = KernelUdp.portDrops(job.udpPort);
            String refusedMetric =
                    OperatorNames.metric(
                            OperatorNames.SERIES_ADMISSION,
                            "reason.cardinality_limit.failed_events_count");
            double refused0 = job.awaitMetric(OperatorNames.SERIES_ADMISSION, refusedMetric);
            long wall0 = System.nanoTime();
            String prefix = "burst.";
            Path expectedFile = work.resolve(prefix + "expected.txt");
            java.util.concurrent.CompletableFuture<LoadGenerator.Report> flooding =
                    java.util.concurrent.CompletableFuture.supplyAsync(
                            () -> {
                                try {
                                    return sendFromOwnProcess(
                                            flood,
                                            FLOOD_DATAGRAMS_PER_SECOND,
                                            job.udpPort,
                                            "flood.",
                                            null);
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                            });
            LoadGenerator.Report sent =
                    sendFromOwnProcess(calm, rate, job.udpPort, prefix, expectedFile);
            LoadGenerator.Report flooded = flooding.get();
            long sendEnd = System.currentTimeMillis();
            double cpu =
                    (ProcessStats.cpuSeconds(job.pid()) - cpu0)
                            / ((System.nanoTime() - wall0) / 1e9);
            Map<String, LoadGenerator.Expected> expected = readExpected(expectedFile);
            AggregateCheck check = awaitLastWindows(windowMs, job, expected, prefix, sendEnd);
            long portDrops = KernelUdp.portDrops(job.udpPort) - portDrops0;
            double refused =
                    job.awaitMetric(OperatorNames.SERIES_ADMISSION, refusedMetric) - refused0;
            boolean ok = check != null && check.exact();
            String summary =
                    String.format(
                            Locale.ROOT,
                            "burst: %,d well-behaved records (%,d series) %s; flood %,d records"
                                    + " (%,.0f new series/s), %,.0f refused as cardinality_limit;"
                                    + " kernel drops %,d; CPU %.2f vCPU; peak RSS %.0f MiB;"
                                    + " latency p50 / p99 %s ms",
                            sent.records,
                            calm.series,
                            ok ? "exact" : "NOT EXACT: " + check,
                            flooded.records,
                            flooded.recordsPerSecond(),
                            refused,
                            portDrops,
                            cpu,
                            ProcessStats.peakRssMib(job.pid()),
                            latency(check, sent, sendEnd));
            rows.add(summary);
            System.out.println(summary);
            return ok;
        }
    }

    /**
     * The job's aggregates of a run against what was sent, once its last windows are out: when they
     * are exact, or when none is missing some seconds after the out-of-orderness and the window (a
     * wrong one stays wrong), or a minute after that.
     */
    private static AggregateCheck awaitLastWindows(
            long windowMs,
            JobProcess job,
            Map<String, LoadGenerator.Expected> expected,
            String prefix,
            long sendEnd)
            throws Exception {
        AggregateCheck check = null;
        long deadline = sendEnd + windowMs + OUT_OF_ORDERNESS_MS + 60_000;
        while (System.currentTimeMillis() < deadline) {
            Thread.sleep(1_000);
            check = AggregateCheck.compare(job.aggregates, expected, prefix);
            if (check.exact()
                    || (check.missing == 0
                            && System.currentTimeMillis()
                                    > sendEnd + windowMs + OUT_OF_ORDERNESS_MS + 8_000)) {
                break;
            }
        }
        Thread.sleep(1_500);
        return check;
    }

    /** Runs the job for one scenario; returns whether every rate's aggregates were exact. */
    boolean runJob(Scenario s, int[] rates) throws Exception {
        List<String> settings = jobSettings(s);
        boolean exact = true;
        try (JobProcess job =
                JobProcess.start(root, work.resolve("job-" + s.name), heap, 2, settings)) {
            System.err.println(
                    "job of "
                            + s.name
                            + ": pid "
                            + job.pid()
                            + ", web UI http://localhost:"
                            + job.restPort);
            // Warm-up, not measured: a fresh JVM compiles its hot paths in the first seconds.
            sendFromOwnProcess(
                    s,
                    Math.max(1, rates[0] / 2),
                    job.udpPort,
                    "warmup.",
                    null,
                    Math.min(seconds, 5));
            int step = 0;
            for (int rate : rates) {
                String prefix = "b" + s.name.replace("-", "") + "r" + (step++) + ".";
                Thread.sleep(1_500); // the REST API's metrics are fetched every 500 ms
                ProcessStats.resetPeak(job.pid());
                double cpu0 = ProcessStats.cpuSeconds(job.pid());
                long rcvbuf0 = KernelUdp.receiveBufferErrors();
                long portDrops0 = KernelUdp.portDrops(job.udpPort);
                double drops0 =
                        job.awaitMetric(
                                OperatorNames.SOURCE_VERTEX,
                                OperatorNames.metric(OperatorNames.UDP_SOURCE, "kernel_drops"));
                double received0 =
                        job.awaitMetric(
                                OperatorNames.SOURCE_VERTEX,
                                OperatorNames.metric(
                                        OperatorNames.UDP_SOURCE, "datagrams_received"));
                long wall0 = System.nanoTime();
                double written0 = ProcessStats.writeBytes(job.pid());
                Path expectedFile = work.resolve(prefix + "expected.txt");
                JournalWatch watch = new JournalWatch(job);
                LoadGenerator.Report sent =
                        sendFromOwnProcess(s, rate, job.udpPort, prefix, expectedFile);
                long sendEnd = System.currentTimeMillis();
                double sendSeconds = (System.nanoTime() - wall0) / 1e9;
                double cpu = (ProcessStats.cpuSeconds(job.pid()) - cpu0) / sendSeconds;
                double writtenMibPerSecond =
                        (ProcessStats.writeBytes(job.pid()) - written0) / sendSeconds / (1 << 20);
                Map<String, LoadGenerator.Expected> expected = readExpected(expectedFile);
                AggregateCheck check = awaitLastWindows(windowMs, job, expected, prefix, sendEnd);
                String journalCost = journal ? watch.stop(writtenMibPerSecond, sendEnd) : "off";
                long rcvbuf = KernelUdp.receiveBufferErrors() - rcvbuf0;
                long portDrops = KernelUdp.portDrops(job.udpPort) - portDrops0;
                double drops =
                        job.awaitMetric(
                                        OperatorNames.SOURCE_VERTEX,
                                        OperatorNames.metric(
                                                OperatorNames.UDP_SOURCE, "kernel_drops"))
                                - drops0;
                double received =
                        job.awaitMetric(
                                        OperatorNames.SOURCE_VERTEX,
                                        OperatorNames.metric(
                                                OperatorNames.UDP_SOURCE, "datagrams_received"))
                                - received0;
                // What the job's sockets took in: sent minus the kernel's drops on them. The job's
                // own
                // datagrams_received must agree; under overload its REST metrics can lag.
                long accepted = sent.datagrams - portDrops;
                boolean noLoss = portDrops == 0 && received == sent.datagrams;
                boolean ok = check != null && check.exact();
                // Where datagrams were lost, the aggregates cannot match what was sent: that is the
                // loss, not an error.
                exact &= ok || !noLoss;
                if (noLoss && ok) {
                    lossless.merge(target() + "|" + s.name, sent.datagramsPerSecond(), Math::max);
                }
                row(
                        target(),
                        s,
                        rate,
                        sent,
                        accepted / sent.seconds,
                        portDrops + " / " + (long) drops + " / " + rcvbuf,
                        lost(sent.datagrams, portDrops)
                                + (received == accepted
                                        ? ""
                                        : " (job counted " + (long) received + " received)"),
                        ok ? "yes" : (noLoss ? "NO: " + check : "no (loss)"),
                        cpu,
                        ProcessStats.peakRssMib(job.pid()),
                        latency(check, sent, sendEnd),
                        journalCost);
            }
        }
        return exact;
    }

    /**
     * Samples the job's {@code journal_backlog_bytes} (summed over its readers) every 250 ms while
     * a rate runs: its peak, and when it last held more than 1 MiB (the journal has caught up when
     * it holds less).
     */
    private static final class JournalWatch {
        private final Thread thread;
        private volatile boolean running = true;
        private volatile double peak;
        private volatile long lastBacklogged;

        JournalWatch(JobProcess job) {
            thread =
                    new Thread(
                            () -> {
                                while (running) {
                                    try {
                                        double backlog =
                                                job.metric(
                                                        OperatorNames.SOURCE_VERTEX,
                                                        OperatorNames.metric(
                                                                OperatorNames.UDP_SOURCE,
                                                                "journal_backlog_bytes"));
                                        peak = Math.max(peak, backlog);
                                        if (backlog > (1 << 20)) {
                                            lastBacklogged = System.currentTimeMillis();
                                        }
                                        Thread.sleep(250);
                                    } catch (InterruptedException e) {
                                        return;
                                    } catch (Exception e) {
                                        // a slow REST answer: ask again
                                    }
                                }
                            },
                            "journal backlog sampler");
            thread.setDaemon(true);
            thread.start();
        }

        String stop(double writtenMibPerSecond, long sendEnd) throws InterruptedException {
            running = false;
            thread.interrupt();
            thread.join();
            double caughtUp = Math.max(0, lastBacklogged - sendEnd) / 1000.0;
            return String.format(
                    Locale.ROOT,
                    "%.1f / %.1f / %s",
                    writtenMibPerSecond,
                    peak / (1 << 20),
                    lastBacklogged == 0 ? "-" : String.format(Locale.ROOT, "%.1f", caughtUp));
        }
    }

    /**
     * Runs the job at {@code rate}, at three times that for {@code overloadSeconds}, and at {@code
     * rate} again, without pauses; returns whether the phases at {@code rate} were exact.
     */
    boolean runOverload(Scenario s, int rate, double overloadSeconds) throws Exception {
        boolean exact = true;
        try (JobProcess job =
                JobProcess.start(
                        root,
                        work.resolve("job-" + s.name + "-overload"),
                        heap,
                        2,
                        jobSettings(s))) {
            System.err.println(
                    "job of "
                            + s.name
                            + " (overload): pid "
                            + job.pid()
                            + ", web UI http://localhost:"
                            + job.restPort);
            sendFromOwnProcess(
                    s, Math.max(1, rate / 2), job.udpPort, "warmup.", null, Math.min(seconds, 5));
            Thread.sleep(1_500);
            String[] phases = {"before", "overload (3x)", "after"};
            int[] rates = {rate, 3 * rate, rate};
            double[] durations = {seconds, overloadSeconds, seconds};
            long portDropsStart = KernelUdp.portDrops(job.udpPort);
            double metricDropsStart =
                    job.awaitMetric(
                            OperatorNames.SOURCE_VERTEX,
                            OperatorNames.metric(OperatorNames.UDP_SOURCE, "kernel_drops"));
            LoadGenerator.Report[] sent = new LoadGenerator.Report[3];
            long[] portDrops = new long[3];
            long[] rcvbuf = new long[3];
            double[] cpu = new double[3];
            double[] rss = new double[3];
            long[] sendEnd = new long[3];
            for (int i = 0; i < 3; i++) {
                ProcessStats.resetPeak(job.pid());
                double cpu0 = ProcessStats.cpuSeconds(job.pid());
                long rcvbuf0 = KernelUdp.receiveBufferErrors();
                long drops0 = KernelUdp.portDrops(job.udpPort);
                long wall0 = System.nanoTime();
                sent[i] =
                        sendFromOwnProcess(
                                s,
                                rates[i],
                                job.udpPort,
                                "o" + i + ".",
                                work.resolve("o" + i + ".expected.txt"),
                                durations[i]);
                sendEnd[i] = System.currentTimeMillis();
                cpu[i] =
                        (ProcessStats.cpuSeconds(job.pid()) - cpu0)
                                / ((System.nanoTime() - wall0) / 1e9);
                portDrops[i] = KernelUdp.portDrops(job.udpPort) - drops0;
                rcvbuf[i] = KernelUdp.receiveBufferErrors() - rcvbuf0;
                rss[i] = ProcessStats.peakRssMib(job.pid());
            }
            Thread.sleep(windowMs + OUT_OF_ORDERNESS_MS + 10_000);
            AggregateCheck[] checks = new AggregateCheck[3];
            long deadline = System.currentTimeMillis() + 60_000;
            do {
                for (int i = 0; i < 3; i++) {
                    checks[i] =
                            AggregateCheck.compare(
                                    job.aggregates,
                                    readExpected(work.resolve("o" + i + ".expected.txt")),
                                    "o" + i + ".");
                }
                if (checks[0].exact() && checks[2].exact()) {
                    break;
                }
                Thread.sleep(2_000);
            } while (System.currentTimeMillis() < deadline);
            long socketDrops = KernelUdp.portDrops(job.udpPort) - portDropsStart;
            double metricDrops =
                    job.awaitMetric(
                                    OperatorNames.SOURCE_VERTEX,
                                    OperatorNames.metric(OperatorNames.UDP_SOURCE, "kernel_drops"))
                            - metricDropsStart;
            for (int i = 0; i < 3; i++) {
                boolean noLoss = portDrops[i] == 0;
                boolean ok = checks[i].exact();
                if (i != 1) {
                    exact &= ok;
                }
                Scenario phase =
                        new Scenario(
                                s.name + ", " + phases[i],
                                s.format,
                                s.recordsPerDatagram,
                                s.series,
                                s.backend,
                                s.timestamps);
                row(
                        target(),
                        phase,
                        rates[i],
                        sent[i],
                        (sent[i].datagrams - portDrops[i]) / sent[i].seconds,
                        portDrops[i] + " / - / " + rcvbuf[i],
                        lost(sent[i].datagrams, portDrops[i]),
                        ok ? "yes" : (noLoss ? "NO: " + checks[i] : "no (loss)"),
                        cpu[i],
                        rss[i],
                        latency(checks[i], sent[i], sendEnd[i]),
                        journal ? "on" : "off");
            }
            String summary =
                    String.format(
                            Locale.ROOT,
                            "%s overload: job restarts %.0f; kernel drops on the job's sockets %d, job metric kernel_drops %.0f (%s)",
                            s.name,
                            job.jobMetric("numRestarts"),
                            socketDrops,
                            metricDrops,
                            socketDrops == (long) metricDrops ? "every drop counted" : "NOT EQUAL");
            rows.add(summary);
            System.out.println(summary);
            exact &= socketDrops == (long) metricDrops;
        }
        return exact;
    }

    private List<String> jobSettings(Scenario s) throws IOException {
        List<String> settings =
                new ArrayList<>(
                        List.of(
                                "--window.size",
                                windowMs / 1000 + "s",
                                "--window.out-of-orderness",
                                OUT_OF_ORDERNESS_MS / 1000 + "s",
                                "--state.backend.type",
                                s.backend,
                                "--execution.checkpointing.dir",
                                work.resolve("checkpoints").toUri().toString(),
                                "--metrics.fetcher.update-interval",
                                "500ms"));
        if (receiveBuffer != null) {
            settings.addAll(List.of("--source.udp.receive-buffer", receiveBuffer));
        }
        if (s.format == LoadGenerator.Format.STATSD && s.series > 50_000) {
            // All StatsD series come from the generator's one address, as from a relay: the
            // per-source limit would refuse most of them.
            settings.addAll(List.of("--window.max-series-per-source", "0"));
        }
        Path journalDir = work.resolve("journal");
        io.telemetry.aggregator.services.Directories.deleteTree(journalDir);
        settings.addAll(
                List.of(
                        "--source.udp.journal.enabled",
                        String.valueOf(journal),
                        "--source.udp.journal.dir",
                        journalDir.toString()));
        settings.addAll(extraSettings);
        return settings;
    }

    /** The job's target label: "job", or "job, no journal" with the journal off. */
    private String target() {
        return journal ? "job" : "job, no journal";
    }

    void runPeer(String name, Scenario s, int[] rates) throws Exception {
        Path statsdHome =
                name.equals("etsy-statsd")
                        ? io.telemetry.aggregator.services.EtsyStatsdServer.home()
                        : null;
        if (!StatsdPeer.installed(name, statsdHome)) {
            rows.add("| " + name + " | not installed (bin/benchmark --peers installs it) |");
            System.out.println(rows.get(rows.size() - 1));
            return;
        }
        for (int rate : rates) {
            try (StatsdPeer peer = StatsdPeer.start(name, work.resolve("peers"), statsdHome)) {
                Thread.sleep(500);
                double cpu0 = peer.cpuSeconds();
                long rcvbuf0 = KernelUdp.receiveBufferErrors();
                long drops0 = KernelUdp.portDrops(peer.port);
                long wall0 = System.nanoTime();
                LoadGenerator.Report sent = sendFromOwnProcess(s, rate, peer.port, "p.", null);
                Thread.sleep(1_000);
                double wall = (System.nanoTime() - wall0) / 1e9;
                double cpu = (peer.cpuSeconds() - cpu0) / wall;
                long rcvbuf = KernelUdp.receiveBufferErrors() - rcvbuf0;
                long drops = KernelUdp.portDrops(peer.port) - drops0;
                long lostCount = drops;
                peerRuns.add(name + "|" + s.name);
                peerLowestRate.merge(name + "|" + s.name, sent.datagramsPerSecond(), Math::min);
                if (lostCount == 0) {
                    lossless.merge(name + "|" + s.name, sent.datagramsPerSecond(), Math::max);
                }
                row(
                        name,
                        s,
                        rate,
                        sent,
                        (sent.datagrams - lostCount) / sent.seconds,
                        drops + " / - / " + rcvbuf,
                        lost(sent.datagrams, lostCount),
                        "-",
                        cpu,
                        Double.NaN,
                        "-",
                        "-");
            }
        }
    }

    private void printRatios() {
        System.out.println();
        System.out.println(
                "| scenario | job lossless up to (dgram/s) | peer | peer lossless up to (dgram/s) | job / peer |");
        System.out.println("| --- | --- | --- | --- | --- |");
        for (String run : new java.util.TreeSet<>(peerRuns)) {
            String[] k = run.split("\\|");
            Double job = lossless.get("job|" + k[1]);
            Double peer = lossless.get(run);
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %s | %s | %s | %s |%n",
                    k[1],
                    job == null ? "-" : String.format(Locale.ROOT, "%.0f", job),
                    k[0],
                    peer == null ? "lossy at every rate" : String.format(Locale.ROOT, "%.0f", peer),
                    job == null
                            ? "-"
                            : peer == null
                                    ? "> "
                                            + String.format(
                                                    Locale.ROOT,
                                                    "%.1f",
                                                    job / peerLowestRate.get(run))
                                    : String.format(Locale.ROOT, "%.1f", job / peer));
        }
    }

    private void row(
            String target,
            Scenario s,
            int rate,
            LoadGenerator.Report sent,
            double receivedRate,
            String drops,
            String lost,
            String exact,
            double cpu,
            double rss,
            String latency,
            String journalCost) {
        String row =
                String.format(
                        Locale.ROOT,
                        "| %s | %s | %,d | %,.0f | %,.0f | %,.0f | %s | %s | %s | %.2f | %s | %s | %s |",
                        target,
                        s.name
                                + " ("
                                + s.recordsPerDatagram
                                + "/dgram, "
                                + String.format(Locale.ROOT, "%,d", s.series)
                                + " series"
                                + (target.startsWith("job") ? ", " + s.backend : "")
                                + ")",
                        rate,
                        sent.datagramsPerSecond(),
                        sent.recordsPerSecond(),
                        receivedRate,
                        drops,
                        lost,
                        exact,
                        cpu,
                        Double.isNaN(rss) ? "-" : String.format(Locale.ROOT, "%.0f", rss),
                        latency,
                        journalCost);
        rows.add(row);
        System.out.println(row);
    }

    /**
     * Window-to-sink latency of the windows that traffic closed: those whose end plus the
     * out-of-orderness came before the last datagram. A later window closes only when its readers
     * are idle long enough, which measures the idle timeout, not the job.
     */
    private static String latency(AggregateCheck check, LoadGenerator.Report sent, long sendEnd) {
        long until = Math.min(sendEnd, sent.lastSentMillis);
        long p50 = check == null ? -1 : check.latencyQuantile(0.5, OUT_OF_ORDERNESS_MS, until);
        long p99 = check == null ? -1 : check.latencyQuantile(0.99, OUT_OF_ORDERNESS_MS, until);
        return p50 < 0 ? "- (no window closed while sending)" : p50 + " / " + p99;
    }

    private static String lost(long sent, long lost) {
        return lost <= 0 ? "0" : String.format(Locale.ROOT, "%.2f %%", 100.0 * lost / sent);
    }

    /** Runs the load generator in its own JVM, pinned to the last vCPU when taskset is there. */
    private LoadGenerator.Report sendFromOwnProcess(
            Scenario s, int rate, int port, String prefix, Path expected) throws Exception {
        return sendFromOwnProcess(s, rate, port, prefix, expected, seconds);
    }

    private LoadGenerator.Report sendFromOwnProcess(
            Scenario s, int rate, int port, String prefix, Path expected, double seconds)
            throws Exception {
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/taskset"))) {
            int cpus = Runtime.getRuntime().availableProcessors();
            command.addAll(List.of("/usr/bin/taskset", "-c", String.valueOf(cpus - 1)));
        }
        command.addAll(
                List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx3g",
                        "-cp",
                        root.resolve("tools/target/classes").toString(),
                        LoadGenerator.class.getName(),
                        "--port",
                        String.valueOf(port),
                        "--rate",
                        String.valueOf(rate),
                        "--seconds",
                        String.valueOf(seconds),
                        "--format",
                        s.format.toString(),
                        "--records-per-datagram",
                        String.valueOf(s.recordsPerDatagram),
                        "--series",
                        String.valueOf(s.series),
                        "--prefix",
                        prefix,
                        "--window-ms",
                        String.valueOf(windowMs),
                        "--jitter-ms",
                        s.format == LoadGenerator.Format.STATSD ? "0" : "2000",
                        "--senders",
                        String.valueOf(senders)));
        if (s.timestamps) {
            command.add("--statsd-timestamps");
        }
        if (expected != null) {
            command.addAll(List.of("--expected", expected.toString()));
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("the load generator failed: " + out);
        }
        return parseReport(out);
    }

    static LoadGenerator.Report parseReport(String out) {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile(
                                "sent (\\d+) datagrams \\((\\d+) bytes\\), (\\d+) records \\((\\d+) malformed, (\\d+) late\\) in ([0-9.]+) s")
                        .matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no report in the load generator's output: " + out);
        }
        LoadGenerator.Report r = new LoadGenerator.Report();
        r.datagrams = Long.parseLong(m.group(1));
        r.bytes = Long.parseLong(m.group(2));
        r.records = Long.parseLong(m.group(3));
        r.malformed = Long.parseLong(m.group(4));
        r.late = Long.parseLong(m.group(5));
        r.seconds = Double.parseDouble(m.group(6));
        java.util.regex.Matcher last =
                java.util.regex.Pattern.compile("last datagram at (\\d+) ms").matcher(out);
        r.lastSentMillis = last.find() ? Long.parseLong(last.group(1)) : Long.MAX_VALUE;
        return r;
    }

    static Map<String, LoadGenerator.Expected> readExpected(Path file) throws IOException {
        Map<String, LoadGenerator.Expected> expected = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            LoadGenerator.Expected e = LoadGenerator.Expected.parse(line);
            expected.put(e.key(), e);
        }
        return expected;
    }
}
