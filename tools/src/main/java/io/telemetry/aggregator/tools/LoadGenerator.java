package io.telemetry.aggregator.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends telemetry over UDP at a paced rate and keeps, for every series and window, what it sent, so
 * that a run can be checked for exactness as well as speed.
 *
 * <p>Every record's value is a whole number from 1 to 9, so sums are exact in a double and the
 * job's results can be compared bit for bit. Formats and what the job makes of them:
 *
 * <ul>
 *   <li>{@code statsd}: {@code <p>c<i>:<v>|c} (a counter: {@code sum}, source = the sender's
 *       address); with {@code timestamps}, DogStatsD's {@code |T<seconds>} as well. Without it the
 *       job times records on arrival, so only each series' total over all windows is known.
 *   <li>{@code json}: single-metric JSON with {@code "function":"sum"} and epoch milliseconds.
 *   <li>{@code drone}: multi-field JSON ({@code alt}, {@code battery}) of a drone, default function
 *       {@code avg}.
 *   <li>{@code gpu}: GPU telemetry with an ISO-8601 time, a {@code hostname} tag and {@code max}.
 *   <li>{@code line}: InfluxDB line protocol {@code <p>cpu,host=h<i> usage=<v> <ns>}, {@code avg}.
 * </ul>
 */
public final class LoadGenerator {

    /** Sockets the datagrams leave from unless {@code --senders} says otherwise. */
    public static final int DEFAULT_SENDERS = 8;

    /**
     * The record forms the generator writes (see the class comment), spelled as {@code --format}.
     */
    public enum Format {
        STATSD,
        JSON,
        DRONE,
        GPU,
        LINE;

        /** The format named {@code name}, e.g. {@code statsd}. */
        public static Format of(String name) {
            for (Format f : values()) {
                if (f.toString().equals(name)) {
                    return f;
                }
            }
            throw new IllegalArgumentException(
                    "format " + name + " is not one of statsd, json, drone, gpu, line");
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What to send. */
    public static final class Settings {
        public String host = "127.0.0.1";
        public int port = 6000;

        /** Datagrams per second. */
        public int rate = 1_000;

        public double seconds = 10;
        public int recordsPerDatagram = 1;
        public int series = 1_000;
        public Format format = Format.STATSD;

        /** Event times are up to this far behind the send time (out of order within the bound). */
        public long jitterMillis = 0;

        /** Share of records replaced by malformed text. */
        public double malformedShare = 0;

        /** Share of records timed 20 windows back (late), sent after the first second. */
        public double lateShare = 0;

        public boolean statsdTimestamps = false;

        /**
         * Sockets the datagrams go out from, round robin, so the kernel spreads them over readers.
         */
        public int senders = DEFAULT_SENDERS;

        /** Prefix of every metric name, to tell runs apart. */
        public String prefix = "lg.";

        /** Window size of the job, for the expected aggregates. */
        public long windowMillis = 60_000;

        public long seed = 42;

        /**
         * Whether to keep the expected aggregates; off for a flood of new series, whose expected
         * aggregates nobody compares.
         */
        public boolean trackExpected = true;
    }

    /** What was sent. */
    public static final class Report {
        public long datagrams;
        public long records;
        public long malformed;

        /** Late values: one per record, two per drone record (its two fields). */
        public long late;

        public long bytes;
        public double seconds;

        /** Wall-clock time (epoch ms) right after the last datagram went out. */
        public long lastSentMillis;

        public double datagramsPerSecond() {
            return datagrams / seconds;
        }

        public double recordsPerSecond() {
            return records / seconds;
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "sent %d datagrams (%d bytes), %d records (%d malformed, %d late) in %.2f s: %.0f datagrams/s, %.0f records/s; last datagram at %d ms",
                    datagrams,
                    bytes,
                    records,
                    malformed,
                    late,
                    seconds,
                    datagramsPerSecond(),
                    recordsPerSecond(),
                    lastSentMillis);
        }
    }

    /** The expected aggregate of one series in one window ({@code windowStart} -1: all windows). */
    public static final class Expected {
        public final String metric;
        public final String source;
        public final String tags;
        public final String function;
        public final long windowStart;
        long count;
        long sum;
        long max;

        Expected(String metric, String source, String tags, String function, long windowStart) {
            this.metric = metric;
            this.source = source;
            this.tags = tags;
            this.function = function;
            this.windowStart = windowStart;
        }

        public String key() {
            return metric + "|" + source + "|" + tags + "|" + function + "|" + windowStart;
        }

        public long count() {
            return count;
        }

        /** Reads a line {@link #writeExpected} wrote. */
        public static Expected parse(String line) {
            String[] parts = line.split(" ");
            String key = String.join(" ", java.util.Arrays.copyOf(parts, parts.length - 2));
            String[] k = key.split("\\|");
            Expected e = new Expected(k[0], k[1], k[2], k[3], Long.parseLong(k[4]));
            e.fixed = Double.parseDouble(parts[parts.length - 2]);
            e.count = Long.parseLong(parts[parts.length - 1]);
            return e;
        }

        private Double fixed;

        public double value() {
            if (fixed != null) {
                return fixed;
            }
            switch (function) {
                case "avg":
                    return (double) sum / count;
                case "max":
                    return max;
                default:
                    return sum;
            }
        }

        @Override
        public String toString() {
            return key() + " = " + value() + " x" + count;
        }
    }

    private final Settings s;
    private final SplittableRandom random;
    private final Map<String, Expected> expected = new HashMap<>();
    private final byte[] buffer = new byte[65_507];
    private int length;

    public LoadGenerator(Settings settings) {
        this.s = settings;
        this.random = new SplittableRandom(settings.seed);
    }

    /** Sends for the configured time at the configured rate; returns what it sent. */
    public Report run() {
        List<DatagramChannel> channels = new ArrayList<>();
        InetSocketAddress target = new InetSocketAddress(s.host, s.port);
        try {
            for (int i = 0; i < s.senders; i++) {
                DatagramChannel c = DatagramChannel.open();
                c.bind(
                        new InetSocketAddress(
                                s.host.startsWith("127.") ? "127.0.0.1" : "0.0.0.0", 0));
                c.connect(target); // a connected socket sends without a route and address check per
                // datagram
                channels.add(c);
            }
            return send(channels, target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (DatagramChannel c : channels) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // closing a datagram socket does not fail in a way that matters here
                }
            }
        }
    }

    private Report send(List<DatagramChannel> channels, InetSocketAddress target)
            throws IOException {
        Report report = new Report();
        long total = (long) (s.rate * s.seconds);
        long start = System.nanoTime();
        long startMillis = System.currentTimeMillis();
        ByteBuffer out = ByteBuffer.wrap(buffer);
        long nextSeries = 0;
        long now = start;
        for (long sent = 0; sent < total; sent++) {
            if ((sent & 15) == 0) { // pace in steps of 16 datagrams: the clock is read less often
                long due = start + (long) (sent * 1e9 / s.rate);
                while ((now = System.nanoTime()) < due) {
                    if (due - now > 200_000) {
                        LockSupport.parkNanos(due - now - 100_000);
                    } else {
                        Thread.onSpinWait();
                    }
                }
            }
            long millis = startMillis + (now - start) / 1_000_000;
            boolean lateAllowed = millis - startMillis > 1_000;
            length = 0;
            for (int r = 0; r < s.recordsPerDatagram; r++) {
                if (r > 0) {
                    put((byte) '\n');
                }
                int series = (int) (nextSeries++ % s.series);
                int value = 1 + random.nextInt(9);
                if (s.malformedShare > 0 && random.nextDouble() < s.malformedShare) {
                    putAscii(
                            s.format == Format.STATSD ? "broken-record|zz" : "{\"metric\": broken");
                    report.malformed++;
                } else if (lateAllowed
                        && s.lateShare > 0
                        && random.nextDouble() < s.lateShare
                        && (s.format != Format.STATSD || s.statsdTimestamps)) {
                    record(series, value, millis - 20 * s.windowMillis, false);
                    report.late +=
                            s.format == Format.DRONE ? 2 : 1; // a drone record holds two values
                } else {
                    long jitter = s.jitterMillis > 0 ? random.nextLong(s.jitterMillis + 1) : 0;
                    record(series, value, millis - jitter, true);
                }
                report.records++;
            }
            out.clear().limit(length);
            channels.get((int) (sent % channels.size())).write(out);
            report.datagrams++;
            report.bytes += length;
        }
        report.seconds = (System.nanoTime() - start) / 1e9;
        report.lastSentMillis = System.currentTimeMillis();
        return report;
    }

    private void record(int i, int v, long ts, boolean counted) {
        switch (s.format) {
            case STATSD:
                putAscii(s.prefix);
                putAscii("c");
                putLong(i);
                put((byte) ':');
                putLong(v);
                putAscii("|c");
                if (s.statsdTimestamps) {
                    ts = ts - Math.floorMod(ts, 1_000);
                    putAscii("|T");
                    putLong(ts / 1_000);
                }
                if (counted) {
                    add(i, 0, s.statsdTimestamps ? ts : -1, v);
                }
                break;
            case JSON:
                putAscii("{\"metric\":\"");
                putAscii(s.prefix);
                putAscii("j");
                putLong(i);
                putAscii("\",\"value\":");
                putLong(v);
                putAscii(",\"ts\":");
                putLong(ts);
                putAscii(",\"device_id\":\"dev-");
                putLong(i);
                putAscii("\",\"function\":\"sum\"}");
                if (counted) {
                    add(i, 0, ts, v);
                }
                break;
            case DRONE:
                putAscii("{\"drone_id\":\"");
                putAscii(s.prefix);
                putAscii("d-");
                putLong(i);
                putAscii("\",\"ts\":");
                putLong(ts);
                putAscii(",\"alt\":");
                putLong(v);
                putAscii(",\"battery\":");
                putLong(10 - v);
                putAscii("}");
                if (counted) {
                    add(i, 0, ts, v);
                    add(i, 1, ts, 10 - v);
                }
                break;
            case GPU:
                putAscii("{\"metric\":\"");
                putAscii(s.prefix);
                putAscii("gpu.temperature\",\"value\":");
                putLong(v);
                putAscii(",\"device_id\":\"gpu-");
                putLong(i);
                putAscii("\",\"hostname\":\"node-");
                putLong(i % 16);
                putAscii("\",\"function\":\"max\",\"timestamp\":\"");
                putAscii(Instant.ofEpochMilli(ts).toString());
                putAscii("\"}");
                if (counted) {
                    add(i, 0, ts, v);
                }
                break;
            case LINE:
                putAscii(s.prefix);
                putAscii("cpu,host=h");
                putLong(i);
                putAscii(" usage=");
                putLong(v);
                put((byte) ' ');
                putLong(ts * 1_000_000);
                if (counted) {
                    add(i, 0, ts, v);
                }
                break;
            default:
                throw new IllegalStateException("no writer for format " + s.format);
        }
    }

    /**
     * Keyed by window, then by series index and field, so that the hot loop builds no strings and
     * boxes no window for known series.
     */
    private final Map<Long, Expected[]> bySlot = new HashMap<>();

    private long slotsWindow;
    private Expected[] slots;

    /** Counts a value of one field of a series (drone records have two) at {@code ts}. */
    private void add(int series, int field, long ts, int v) {
        if (!s.trackExpected) {
            return;
        }
        long window = ts < 0 ? -1 : ts - Math.floorMod(ts, s.windowMillis);
        if (slots == null || window != slotsWindow) {
            slots = bySlot.computeIfAbsent(window, w -> new Expected[s.series * 2]);
            slotsWindow = window;
        }
        int slot = series * 2 + field;
        Expected e = slots[slot];
        if (e == null) {
            e = newExpected(series, field, window);
            slots[slot] = e;
            expected.put(e.key(), e);
        }
        e.count++;
        e.sum += v;
        e.max = e.count == 1 ? v : Math.max(e.max, v);
    }

    /** The aggregate the job is expected to write for a field of series {@code i}. */
    private Expected newExpected(int i, int field, long window) {
        switch (s.format) {
            case STATSD:
                return new Expected(s.prefix + "c" + i, "127.0.0.1", "{}", "sum", window);
            case JSON:
                return new Expected(s.prefix + "j" + i, "dev-" + i, "{}", "sum", window);
            case DRONE:
                return new Expected(
                        field == 0 ? "alt" : "battery", s.prefix + "d-" + i, "{}", "avg", window);
            case GPU:
                return new Expected(
                        s.prefix + "gpu.temperature",
                        "gpu-" + i,
                        "{\"hostname\":\"node-" + (i % 16) + "\"}",
                        "max",
                        window);
            case LINE:
                return new Expected(s.prefix + "cpu.usage", "h" + i, "{}", "avg", window);
            default:
                throw new IllegalStateException("no writer for format " + s.format);
        }
    }

    /** Expected aggregates of everything sent so far, by key. */
    public Map<String, Expected> expected() {
        return new TreeMap<>(expected);
    }

    /**
     * Writes the expected aggregates, one per line: {@code metric|source|tags|function|window_start
     * value count}.
     */
    public void writeExpected(Writer w) throws IOException {
        for (Expected e : expected().values()) {
            w.write(e.key() + " " + e.value() + " " + e.count + "\n");
        }
    }

    private void put(byte b) {
        buffer[length++] = b;
    }

    private void putAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            buffer[length++] = (byte) text.charAt(i);
        }
    }

    private void putLong(long v) {
        if (v < 0) {
            put((byte) '-');
            v = -v;
        }
        if (v < 10) {
            put((byte) ('0' + v));
            return;
        }
        int startPos = length;
        while (v > 0) {
            buffer[length++] = (byte) ('0' + v % 10);
            v /= 10;
        }
        for (int a = startPos, b = length - 1; a < b; a++, b--) {
            byte t = buffer[a];
            buffer[a] = buffer[b];
            buffer[b] = t;
        }
    }

    /**
     * {@code bin/loadgen --rate 50000 --seconds 10 --format statsd --records-per-datagram 10 ...}
     */
    public static void main(String[] args) throws Exception {
        Settings s = new Settings();
        String expectedFile = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--host":
                    s.host = v;
                    i++;
                    break;
                case "--port":
                    s.port = Integer.parseInt(v);
                    i++;
                    break;
                case "--rate":
                    s.rate = Integer.parseInt(v);
                    i++;
                    break;
                case "--seconds":
                    s.seconds = Double.parseDouble(v);
                    i++;
                    break;
                case "--records-per-datagram":
                    s.recordsPerDatagram = Integer.parseInt(v);
                    i++;
                    break;
                case "--series":
                    s.series = Integer.parseInt(v);
                    i++;
                    break;
                case "--format":
                    s.format = Format.of(v);
                    i++;
                    break;
                case "--jitter-ms":
                    s.jitterMillis = Long.parseLong(v);
                    i++;
                    break;
                case "--malformed-share":
                    s.malformedShare = Double.parseDouble(v);
                    i++;
                    break;
                case "--late-share":
                    s.lateShare = Double.parseDouble(v);
                    i++;
                    break;
                case "--statsd-timestamps":
                    s.statsdTimestamps = true;
                    break;
                case "--senders":
                    s.senders = Integer.parseInt(v);
                    i++;
                    break;
                case "--prefix":
                    s.prefix = v;
                    i++;
                    break;
                case "--window-ms":
                    s.windowMillis = Long.parseLong(v);
                    i++;
                    break;
                case "--seed":
                    s.seed = Long.parseLong(v);
                    i++;
                    break;
                case "--expected":
                    expectedFile = v;
                    i++;
                    break;
                default:
                    System.err.println("Unknown argument " + a + "\n" + USAGE);
                    System.exit(2);
            }
        }
        s.trackExpected = expectedFile != null;
        LoadGenerator generator = new LoadGenerator(s);
        Report report = generator.run();
        System.out.println(report);
        if (expectedFile != null) {
            try (Writer w =
                    java.nio.file.Files.newBufferedWriter(
                            java.nio.file.Path.of(expectedFile), StandardCharsets.UTF_8)) {
                generator.writeExpected(w);
            }
            System.out.println(
                    "expected aggregates of "
                            + generator.expected().size()
                            + " series and windows in "
                            + expectedFile);
        }
    }

    static final String USAGE =
            "usage: bin/loadgen [--host 127.0.0.1] [--port 6000] [--rate datagrams/s] [--seconds 10]\n"
                    + "  [--records-per-datagram 1] [--series 1000] [--format statsd|json|drone|gpu|line]\n"
                    + "  [--jitter-ms 0] [--malformed-share 0] [--late-share 0] [--statsd-timestamps]\n"
                    + "  [--senders 8] [--prefix lg.] [--window-ms 60000] [--seed 42] [--expected file]";
}
