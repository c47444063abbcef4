package io.telemetry.aggregator.tools.jmh;

import io.telemetry.aggregator.operators.DeadLetter;
import io.telemetry.aggregator.operators.MetricFunction;
import io.telemetry.aggregator.operators.SeriesKey;
import io.telemetry.aggregator.operators.TelemetryRecord;
import io.telemetry.aggregator.operators.aggregate.MetricAccumulator;
import io.telemetry.aggregator.operators.aggregate.PartialAggregate;
import io.telemetry.aggregator.operators.aggregate.SeriesWindow;
import io.telemetry.aggregator.operators.parse.DatagramParser;
import io.telemetry.aggregator.operators.parse.ParseOutput;
import io.telemetry.aggregator.operators.parse.ParseSettings;
import io.telemetry.aggregator.udp.UdpDatagram;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The job's hot paths, per record: parsing a 10-record datagram of each format, keying a record by
 * its series, adding a record to each kind of accumulator, and merging partial accumulators. Run
 * with {@code bin/jmh} (tools/README.md).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HotPathBenchmarks {

    private static final int RECORDS = 10;

    private DatagramParser parser;
    private UdpDatagram statsd;
    private UdpDatagram json;
    private UdpDatagram bareJson;
    private UdpDatagram drone;
    private UdpDatagram gpu;
    private UdpDatagram line;
    private TelemetryRecord[] records;
    private MetricAccumulator[] partials;
    private HashMap<SeriesWindow, PartialAggregate> held;
    private int next;

    /** Counts what the parser hands over, so that nothing is optimised away. */
    private static final class Counting implements ParseOutput {
        final Blackhole bh;

        Counting(Blackhole bh) {
            this.bh = bh;
        }

        @Override
        public void record(TelemetryRecord record) {
            bh.consume(record);
        }

        @Override
        public void deadLetter(DeadLetter deadLetter) {
            throw new IllegalStateException("dead letter in a benchmark: " + deadLetter.detail);
        }
    }

    private static UdpDatagram datagram(String... lines) {
        byte[] payload = String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
        return new UdpDatagram(payload, "127.0.0.1:40000", System.currentTimeMillis(), false);
    }

    @Setup
    public void setUp() {
        parser = new DatagramParser(ParseSettings.defaults());
        long now = System.currentTimeMillis();
        String[] s = new String[RECORDS];
        String[] j = new String[RECORDS];
        String[] b = new String[RECORDS];
        String[] d = new String[RECORDS];
        String[] g = new String[RECORDS];
        String[] l = new String[RECORDS];
        for (int i = 0; i < RECORDS; i++) {
            s[i] = "app.requests.c" + i + ":" + (i + 1) + "|c";
            j[i] =
                    "{\"metric\":\"lg.j"
                            + i
                            + "\",\"value\":"
                            + (i + 1)
                            + ",\"ts\":"
                            + now
                            + ",\"device_id\":\"dev-"
                            + i
                            + "\",\"function\":\"sum\"}";
            b[i] =
                    "{\"metric\":\"lg.j"
                            + i
                            + "\",\"value\":"
                            + (i + 1)
                            + ",\"device_id\":\"dev-"
                            + i
                            + "\"}";
            d[i] = "{\"drone_id\":\"d-" + i + "\",\"ts\":" + now + ",\"alt\":120.5,\"battery\":87}";
            g[i] =
                    "{\"metric\":\"gpu.temperature\",\"value\":75.5,\"device_id\":\"gpu-"
                            + i
                            + "\",\"hostname\":\"node-1\",\"function\":\"max\",\"timestamp\":\""
                            + Instant.ofEpochMilli(now)
                            + "\"}";
            l[i] = "cpu,host=h" + i + " usage=" + (i + 1) + ".5 " + now * 1_000_000;
        }
        statsd = datagram(s);
        json = datagram(j);
        bareJson = datagram(b);
        drone = datagram(d);
        gpu = datagram(g);
        line = datagram(l);
        records = new TelemetryRecord[1024];
        for (int i = 0; i < records.length; i++) {
            records[i] =
                    new TelemetryRecord(
                            "lg.c" + (i % 100),
                            "127.0.0.1",
                            "{}",
                            MetricFunction.SUM,
                            i % 9 + 1,
                            now + i,
                            now);
        }
        partials = new MetricAccumulator[16];
        for (int i = 0; i < partials.length; i++) {
            partials[i] = new MetricAccumulator();
            for (int k = 0; k < 50; k++) {
                partials[i].add(
                        new TelemetryRecord(
                                "m", "s", "{}", MetricFunction.P99, k * (i + 1), now, now));
            }
        }
        held = new HashMap<>();
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public int parseStatsd(Blackhole bh) {
        return parser.parse(statsd, new Counting(bh));
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public int parseJson(Blackhole bh) {
        return parser.parse(json, new Counting(bh));
    }

    /** Single-metric JSON without function and time fields (the default function, arrival time). */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public int parseBareJson(Blackhole bh) {
        return parser.parse(bareJson, new Counting(bh));
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public int parseDroneJson(Blackhole bh) {
        return parser.parse(drone, new Counting(bh));
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public int parseGpuJson(Blackhole bh) {
        return parser.parse(gpu, new Counting(bh));
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public int parseLineProtocol(Blackhole bh) {
        return parser.parse(line, new Counting(bh));
    }

    /** The window operator's key of a record: a SeriesKey and its hash (the key group). */
    @Benchmark
    public int keyBySeries() {
        TelemetryRecord r = records[next++ & 1023];
        return SeriesKey.of(r).hashCode();
    }

    /**
     * The pre-aggregation's lookup and add of one record, as PreAggregationOperator does it (100
     * series held).
     */
    @Benchmark
    public long preAggregate() {
        TelemetryRecord r = records[next++ & 1023];
        long window = 0;
        PartialAggregate partial = held.get(probe.set(r, window));
        if (partial == null) {
            partial = PartialAggregate.of(r, window);
            held.put(probe.copy(), partial);
        } else {
            partial.add(r);
        }
        return partial.count();
    }

    private final SeriesWindow probe = new SeriesWindow();

    @Benchmark
    public double accumulateSum() {
        return accumulate(MetricFunction.SUM);
    }

    @Benchmark
    public double accumulateStddev() {
        return accumulate(MetricFunction.STDDEV);
    }

    @Benchmark
    public double accumulateP99() {
        return accumulate(MetricFunction.P99);
    }

    @Benchmark
    public double accumulateCountDistinct() {
        return accumulate(MetricFunction.COUNT_DISTINCT);
    }

    private final MetricAccumulator[] accumulators =
            new MetricAccumulator[MetricFunction.values().length];

    private double accumulate(MetricFunction f) {
        MetricAccumulator acc = accumulators[f.ordinal()];
        if (acc == null || acc.count() > 100_000) {
            acc = new MetricAccumulator();
            accumulators[f.ordinal()] = acc;
        }
        TelemetryRecord r = records[next++ & 1023];
        r.function = f.code();
        acc.add(r);
        return acc.count();
    }

    /**
     * The window operator's merge of a partial with 50 values into a window's percentile sketch.
     */
    @Benchmark
    public long mergePercentilePartial() {
        MetricAccumulator window = new MetricAccumulator();
        window.merge(partials[next++ & 15]);
        window.merge(partials[next++ & 15]);
        return window.count();
    }
}
