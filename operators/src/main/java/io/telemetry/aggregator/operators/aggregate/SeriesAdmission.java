package io.telemetry.aggregator.operators.aggregate;

import io.telemetry.aggregator.operators.DeadLetter;
import io.telemetry.aggregator.operators.SeriesKey;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits series to windows up to the {@link CardinalityLimits}, in the window task right before the
 * window operator (keyed the same way, chained to it): a new series of a window is taken while the
 * window holds fewer series than each limit allows in all, of its source and of its metric;
 * otherwise its records are refused. A series once admitted to a window is never refused in that
 * window, so every aggregate written is exact; a flood of new series costs its senders their
 * series, not the others theirs, and memory stays bounded by the limits.
 *
 * <p>Refused records are counted in {@code failed_events_count} (reason {@code cardinality_limit})
 * and in {@code refused_records}, labelled with the limit and the source or metric that reached it
 * (the first {@value #LABELLED_OFFENDERS} of them; later ones as {@code other}), logged at most
 * once a minute, and the first {@value #DEAD_LETTERS_PER_WINDOW} of each window become dead
 * letters.
 *
 * <p>Which windows a series was admitted to is keyed state ({@value #ADMITTED}, kept a while after
 * its windows close); the counts of the open windows are not part of checkpoints: after a restore
 * the windows open at that moment count their series again from zero.
 */
public final class SeriesAdmission
        extends KeyedProcessFunction<SeriesKey, PartialAggregate, PartialAggregate> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SeriesAdmission.class);

    /** Dead letters of refused records. */
    public static final OutputTag<DeadLetter> REFUSED =
            new OutputTag<>("refused-series", TypeInformation.of(DeadLetter.class));

    /** Refused records of one window (and task) that become dead letters; the rest are counted. */
    static final int DEAD_LETTERS_PER_WINDOW = 100;

    /** Sources and metrics with a counter of their own; the others share one. */
    static final int LABELLED_OFFENDERS = 100;

    static final String ADMITTED = "admitted-windows";

    private final CardinalityLimits limits;

    private transient ValueState<long[]> admitted;
    private transient TreeMap<Long, WindowCounts> windows;
    private transient Counter failed;
    private transient MetricGroup metrics;
    private transient Map<String, Counter> offenders;
    private transient long lastWarningNanos;
    private transient long refusedSinceWarning;

    public SeriesAdmission(CardinalityLimits limits) {
        this.limits = limits;
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<long[]> descriptor =
                new ValueStateDescriptor<>(
                        ADMITTED, PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO);
        // Kept well past the windows it names; a series whose entry expired while one of its
        // windows is still open (a replay slower than the wall clock) is counted again.
        long window = limits.windowSizeMillis + limits.allowedLatenessMillis;
        descriptor.enableTimeToLive(
                StateTtlConfig.newBuilder(
                                Duration.ofMillis(
                                        Math.max(Duration.ofMinutes(10).toMillis(), 3 * window)))
                        .build());
        admitted = getRuntimeContext().getState(descriptor);
        windows = new TreeMap<>();
        metrics = getRuntimeContext().getMetricGroup();
        failed =
                metrics.addGroup("reason", DeadLetter.CARDINALITY_LIMIT)
                        .counter("failed_events_count");
        offenders = new HashMap<>();
    }

    @Override
    public void processElement(PartialAggregate p, Context ctx, Collector<PartialAggregate> out)
            throws Exception {
        if (limits.isNone()) {
            out.collect(p);
            return;
        }
        long watermark = ctx.timerService().currentWatermark();
        if (closed(p.windowStart, watermark)) {
            out.collect(p); // late: the window operator makes it a dead letter
            return;
        }
        long[] ofSeries = admitted.value();
        if (contains(ofSeries, p.windowStart)) {
            out.collect(p);
            return;
        }
        forgetClosedWindows(watermark);
        WindowCounts counts = windows.computeIfAbsent(p.windowStart, w -> new WindowCounts());
        String refusedBy = counts.admit(p.source, p.metric, limits);
        if (refusedBy == null) {
            admitted.update(with(ofSeries, p.windowStart, watermark));
            out.collect(p);
            return;
        }
        refuse(p, counts, refusedBy, ctx);
    }

    private boolean closed(long windowStart, long watermark) {
        return windowStart + limits.windowSizeMillis + limits.allowedLatenessMillis - 1
                <= watermark;
    }

    private void forgetClosedWindows(long watermark) {
        while (!windows.isEmpty() && closed(windows.firstKey(), watermark)) {
            windows.pollFirstEntry();
        }
    }

    private static boolean contains(long[] windowStarts, long start) {
        if (windowStarts != null) {
            for (long w : windowStarts) {
                if (w == start) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The windows still open, and this one. */
    private long[] with(long[] windowStarts, long start, long watermark) {
        if (windowStarts == null || windowStarts.length == 0) {
            return new long[] {start};
        }
        long[] out = new long[windowStarts.length + 1];
        int n = 0;
        for (long w : windowStarts) {
            if (!closed(w, watermark)) {
                out[n++] = w;
            }
        }
        out[n++] = start;
        return n == out.length ? out : java.util.Arrays.copyOf(out, n);
    }

    private void refuse(PartialAggregate p, WindowCounts counts, String refusedBy, Context ctx) {
        long records = p.count();
        failed.inc(records);
        offender(refusedBy, p).inc(records);
        String window =
                "["
                        + Instant.ofEpochMilli(p.windowStart)
                        + ", "
                        + Instant.ofEpochMilli(p.windowStart + limits.windowSizeMillis)
                        + ")";
        String detail = describeLimit(refusedBy, p) + " in window " + window + " on this task";
        if (counts.deadLetters < DEAD_LETTERS_PER_WINDOW) {
            counts.deadLetters++;
            ctx.output(
                    REFUSED,
                    new DeadLetter(
                            DeadLetter.CARDINALITY_LIMIT,
                            detail,
                            "",
                            p.accumulator.lastReceivedAt(),
                            LateRecordDeadLetters.describe(p)));
        }
        refusedSinceWarning += records;
        long now = System.nanoTime();
        if (lastWarningNanos == 0 || now - lastWarningNanos > 60_000_000_000L) {
            LOG.warn(
                    "Refused {} record(s) of new series since the last warning; latest: {}",
                    refusedSinceWarning,
                    detail);
            lastWarningNanos = now;
            refusedSinceWarning = 0;
        }
    }

    private String describeLimit(String refusedBy, PartialAggregate p) {
        switch (refusedBy) {
            case WindowCounts.TOTAL:
                return "the window holds "
                        + limits.maxSeries
                        + " series, the limit window.max-series";
            case WindowCounts.SOURCE:
                return "source "
                        + p.source
                        + " has "
                        + limits.maxSeriesPerSource
                        + " series, the limit window.max-series-per-source";
            default:
                return "metric "
                        + p.metric
                        + " has "
                        + limits.maxSeriesPerMetric
                        + " series, the limit window.max-series-per-metric";
        }
    }

    /** {@code refused_records{limit=..., source|metric=...}}, the first offenders by name. */
    private Counter offender(String refusedBy, PartialAggregate p) {
        String label;
        String name;
        switch (refusedBy) {
            case WindowCounts.TOTAL:
                label = null;
                name = "";
                break;
            case WindowCounts.SOURCE:
                label = "source";
                name = p.source;
                break;
            default:
                label = "metric";
                name = p.metric;
        }
        String key = refusedBy + '|' + name;
        Counter counter = offenders.get(key);
        if (counter != null) {
            return counter;
        }
        MetricGroup group = metrics.addGroup("limit", refusedBy);
        if (label != null && offenders.size() >= LABELLED_OFFENDERS) {
            String other = refusedBy + "|\u0000";
            counter = offenders.get(other);
            if (counter == null) {
                counter = group.addGroup(label, "other").counter("refused_records");
                offenders.put(other, counter);
            }
            return counter;
        }
        counter = (label == null ? group : group.addGroup(label, name)).counter("refused_records");
        offenders.put(key, counter);
        return counter;
    }

    /** The series of one window on this task: in all, by source, by metric name. */
    static final class WindowCounts {
        static final String TOTAL = "total";
        static final String SOURCE = "per_source";
        static final String METRIC = "per_metric";

        int total;
        final Map<String, int[]> bySource = new HashMap<>();
        final Map<String, int[]> byMetric = new HashMap<>();
        int deadLetters;

        /** Takes the series and returns null, or returns the limit that refuses it. */
        String admit(String source, String metric, CardinalityLimits limits) {
            if (limits.maxSeries > 0 && total >= limits.maxSeries) {
                return TOTAL;
            }
            int[] ofSource = limits.maxSeriesPerSource > 0 ? bySource.get(source) : null;
            if (ofSource != null && ofSource[0] >= limits.maxSeriesPerSource) {
                return SOURCE;
            }
            int[] ofMetric = limits.maxSeriesPerMetric > 0 ? byMetric.get(metric) : null;
            if (ofMetric != null && ofMetric[0] >= limits.maxSeriesPerMetric) {
                return METRIC;
            }
            total++;
            if (limits.maxSeriesPerSource > 0) {
                if (ofSource == null) {
                    bySource.put(source, ofSource = new int[1]);
                }
                ofSource[0]++;
            }
            if (limits.maxSeriesPerMetric > 0) {
                if (ofMetric == null) {
                    byMetric.put(metric, ofMetric = new int[1]);
                }
                ofMetric[0]++;
            }
            return null;
        }
    }
}
