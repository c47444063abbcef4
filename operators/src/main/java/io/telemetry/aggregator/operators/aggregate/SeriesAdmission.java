package io.telemetry.aggregator.operators.aggregate;

import com.carrotsearch.hppc.LongHashSet;
import com.carrotsearch.hppc.LongIntHashMap;
import io.telemetry.aggregator.operators.DeadLetter;
import io.telemetry.aggregator.operators.SeriesKey;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
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
 * otherwise its records are refused. A series once admitted to a window is not refused in that
 * window (short of a restore, below), so every aggregate written is exact; a flood of new series
 * costs its senders their series, not the others theirs, and memory stays bounded by the limits.
 *
 * <p>Refused records are counted in {@code failed_events_count} (reason {@code cardinality_limit})
 * and in {@code refused_records}, labelled with the limit and the source or metric that reached it
 * (the first {@value #LABELLED_OFFENDERS} of them; later ones as {@code other}), logged at most
 * once a minute, and the first {@value #DEAD_LETTERS_PER_WINDOW} of each window become dead
 * letters.
 *
 * <p>What each open window admitted is held in memory, about 16 bytes a series (a 64-bit hash of
 * the series key) and as much per source and metric name (their counts), without an object per
 * series or name, and is not part of checkpoints: after a restore the windows open at that moment
 * count their series again from zero, so such a window may take up to twice a limit, and a series
 * it had admitted before the restore can be refused if the window reaches a limit again first.
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

    private final CardinalityLimits limits;

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
        forgetClosedWindows(watermark);
        WindowCounts counts = windows.computeIfAbsent(p.windowStart, w -> new WindowCounts());
        long metric = nameHash(p.metric);
        long source = nameHash(p.source);
        long series = seriesHash(metric, source, p);
        if (counts.admitted.contains(series)) {
            out.collect(p);
            return;
        }
        String refusedBy = counts.admit(source, metric, limits);
        if (refusedBy == null) {
            counts.admitted.add(series);
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

    /**
     * A 64-bit hash of the series key, from the characters of its names (not their 32-bit {@code
     * hashCode}, which many distinct names share). Two series of the same hash in one window count
     * as one (an over-admission by one, never a refusal); with 64 bits that is as good as never.
     */
    private static long seriesHash(long metricHash, long sourceHash, PartialAggregate p) {
        long h = mix(metricHash * 31 + sourceHash);
        h = mix(h * 31 + nameHash(p.tags));
        return mix(h * 31 + p.function);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
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

    /**
     * The series of one window on this task: in all, by source, by metric name. Sources and metrics
     * are counted under a 64-bit hash of their name, in primitive tables without an object per
     * name: a window of a million series of distinct metric names holds no map entry, string
     * reference or counter object per name (the garbage collector copies none), about 16 bytes a
     * name. Two names of the same 64-bit hash would share one count; that is as good as never.
     */
    static final class WindowCounts {
        static final String TOTAL = "total";
        static final String SOURCE = "per_source";
        static final String METRIC = "per_metric";

        int total;
        final LongHashSet admitted = new LongHashSet(1_024);
        final LongIntHashMap bySource = new LongIntHashMap();
        final LongIntHashMap byMetric = new LongIntHashMap();
        int deadLetters;

        /**
         * Takes the series of a source and metric (their {@link #nameHash}es) and returns null, or
         * returns the limit that refuses it.
         */
        String admit(long sourceHash, long metricHash, CardinalityLimits limits) {
            if (limits.maxSeries > 0 && total >= limits.maxSeries) {
                return TOTAL;
            }
            if (limits.maxSeriesPerSource > 0
                    && bySource.get(sourceHash) >= limits.maxSeriesPerSource) {
                return SOURCE;
            }
            if (limits.maxSeriesPerMetric > 0
                    && byMetric.get(metricHash) >= limits.maxSeriesPerMetric) {
                return METRIC;
            }
            total++;
            if (limits.maxSeriesPerSource > 0) {
                bySource.addTo(sourceHash, 1);
            }
            if (limits.maxSeriesPerMetric > 0) {
                byMetric.addTo(metricHash, 1);
            }
            return null;
        }
    }

    /** A 64-bit hash of a name's characters (FNV-1a over the chars, then mixed). */
    static long nameHash(String name) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < name.length(); i++) {
            h = (h ^ name.charAt(i)) * 0x100000001b3L;
        }
        return mix(h);
    }
}
