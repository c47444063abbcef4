package io.telemetry.aggregator.operators.aggregate;

import com.carrotsearch.hppc.LongHashSet;
import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import io.telemetry.aggregator.operators.MetricFunction;
import io.telemetry.aggregator.operators.TelemetryRecord;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * The running result of one series in one window. It keeps only what its function needs: a sum (of
 * the records' weights, for count), an extreme, a first or last value with its event time, a StatsD
 * gauge's value or change, Welford's mean and squared deviations for stddev, a DDSketch (1%
 * relative accuracy) for percentiles, or the set of distinct values. Serialized with {@link
 * MetricAccumulatorSerializer}, never Kryo.
 *
 * <p>Percentiles are nearest-rank, as StatsD's {@code upper_N}: the p-th percentile of n samples is
 * the r-th smallest, r = p·n rounded half up (at least 1), within the sketch's 1% relative error.
 */
@TypeInfo(MetricAccumulatorTypeInfoFactory.class)
public final class MetricAccumulator {

    /** Relative accuracy of the percentile sketches. */
    public static final double PERCENTILE_ACCURACY = 0.01;

    static final byte NO_FUNCTION = -1;

    byte function = NO_FUNCTION;
    long count;

    /** Sum (sum, avg), extreme (min, max), first/last value, or running mean (stddev). */
    double value;

    /** Sum of squared deviations from the mean (stddev). */
    double m2;

    /** Event time of the first or last value. */
    long timestamp;

    long lastReceivedAt;

    /**
     * For {@code last} fed by StatsD gauge lines: {@link #GAUGE_VALUE} when the window holds a
     * plain value ({@link #value} is the gauge after the window's lines), {@link #GAUGE_CHANGES}
     * when it holds only signed ones ({@link #value} is their sum); otherwise {@link #NOT_A_GAUGE}.
     */
    byte gauge = NOT_A_GAUGE;

    static final byte NOT_A_GAUGE = 0;
    static final byte GAUGE_VALUE = 1;
    static final byte GAUGE_CHANGES = 2;

    DDSketch sketch;
    LongHashSet distinct;

    public void add(TelemetryRecord record) {
        if (function == NO_FUNCTION) {
            function = record.function;
        }
        double v = record.value;
        long ts = record.timestamp;
        if (record.receivedAt > lastReceivedAt) {
            lastReceivedAt = record.receivedAt;
        }
        count++;
        switch (MetricFunction.ofCode(function)) {
            case COUNT:
                value += record.weight;
                break;
            case SUM:
            case AVG:
                value += v;
                break;
            case MIN:
                value = count == 1 ? v : Math.min(value, v);
                break;
            case MAX:
                value = count == 1 ? v : Math.max(value, v);
                break;
            case FIRST: // the earliest event time; on a tie the earlier arrival
                if (count == 1 || ts < timestamp) {
                    value = v;
                    timestamp = ts;
                }
                break;
            case LAST:
                if (record.gauge != TelemetryRecord.NOT_A_GAUGE || gauge != NOT_A_GAUGE) {
                    addGauge(record.gauge == TelemetryRecord.GAUGE_CHANGE, v, ts);
                } else if (count == 1 || ts >= timestamp) {
                    // the latest event time; on a tie the later arrival
                    value = v;
                    timestamp = ts;
                }
                break;
            case STDDEV: // Welford
                double delta = v - value;
                value += delta / count;
                m2 += delta * (v - value);
                break;
            case COUNT_DISTINCT:
                if (distinct == null) {
                    distinct = new LongHashSet();
                }
                distinct.add(Double.doubleToLongBits(v == 0.0 ? 0.0 : v));
                break;
            default: // percentiles
                if (sketch == null) {
                    sketch = newSketch();
                }
                sketch.accept(v);
        }
    }

    /**
     * A StatsD gauge line, in the order the lines arrive (as StatsD applies them): a plain value
     * replaces the gauge, a signed one changes it.
     */
    private void addGauge(boolean change, double v, long ts) {
        if (!change) {
            gauge = GAUGE_VALUE;
            value = v;
        } else if (count == 1) {
            gauge = GAUGE_CHANGES;
            value = v;
        } else {
            if (gauge == NOT_A_GAUGE) {
                gauge = GAUGE_VALUE; // a plain last value (restored state) and a change to it
            }
            value += v;
        }
        timestamp = count == 1 ? ts : Math.max(timestamp, ts);
    }

    /** Adds another accumulator of the same series into this one. */
    public void merge(MetricAccumulator other) {
        if (other.count == 0) {
            return;
        }
        if (count == 0) {
            copyFrom(other);
            return;
        }
        long n = count + other.count;
        lastReceivedAt = Math.max(lastReceivedAt, other.lastReceivedAt);
        switch (MetricFunction.ofCode(function)) {
            case COUNT:
            case SUM:
            case AVG:
                value += other.value;
                break;
            case MIN:
                value = Math.min(value, other.value);
                break;
            case MAX:
                value = Math.max(value, other.value);
                break;
            case FIRST:
                if (other.timestamp < timestamp) {
                    value = other.value;
                    timestamp = other.timestamp;
                }
                break;
            case LAST:
                if (gauge == NOT_A_GAUGE && other.gauge == NOT_A_GAUGE) {
                    if (other.timestamp >= timestamp) {
                        value = other.value;
                        timestamp = other.timestamp;
                    }
                } else {
                    // The other's lines arrived after this one's.
                    if (other.gauge == GAUGE_CHANGES) {
                        value += other.value;
                        gauge = gauge == GAUGE_CHANGES ? GAUGE_CHANGES : GAUGE_VALUE;
                    } else {
                        value = other.value;
                        gauge = GAUGE_VALUE;
                    }
                    timestamp = Math.max(timestamp, other.timestamp);
                }
                break;
            case STDDEV:
                double delta = other.value - value;
                double mean = value + delta * other.count / n;
                m2 = m2 + other.m2 + delta * delta * ((double) count * other.count / n);
                value = mean;
                break;
            case COUNT_DISTINCT:
                distinct.addAll(other.distinct);
                break;
            default:
                sketch.mergeWith(other.sketch);
        }
        count = n;
    }

    private void copyFrom(MetricAccumulator other) {
        function = other.function;
        count = other.count;
        value = other.value;
        m2 = other.m2;
        timestamp = other.timestamp;
        lastReceivedAt = other.lastReceivedAt;
        gauge = other.gauge;
        sketch = other.sketch == null ? null : other.sketch.copy();
        distinct = other.distinct == null ? null : other.distinct.clone();
    }

    public MetricAccumulator copy() {
        MetricAccumulator c = new MetricAccumulator();
        c.copyFrom(this);
        return c;
    }

    /** The function's result over everything added. */
    public double result() {
        switch (MetricFunction.ofCode(function)) {
            case COUNT:
                return value;
            case AVG:
                return value / count;
            case STDDEV:
                return Math.sqrt(m2 / count);
            case COUNT_DISTINCT:
                return distinct == null ? 0 : distinct.size();
            case SUM:
            case MIN:
            case MAX:
            case FIRST:
            case LAST:
                return value;
            default:
                return sketch == null
                        ? Double.NaN
                        : nearestRank(sketch, MetricFunction.ofCode(function).quantile());
        }
    }

    /**
     * The r-th smallest value the sketch holds, r = q·n rounded half up and at least 1. DDSketch
     * answers a quantile q' with the value of the first bin whose cumulative count exceeds q'·(n -
     * 1): asking for rank r - 0.5 (0-based r - 1, with room for rounding) gives the bin of the r-th
     * value.
     */
    static double nearestRank(DDSketch sketch, double q) {
        double n = sketch.getCount();
        if (n <= 1) {
            return sketch.getValueAtQuantile(0);
        }
        double rank = Math.max(1, Math.floor(q * n + 0.5));
        return sketch.getValueAtQuantile(Math.min(1, (rank - 0.5) / (n - 1)));
    }

    /** Whether this is a StatsD gauge whose window held only signed lines (changes). */
    public boolean isGaugeChangeOnly() {
        return gauge == GAUGE_CHANGES;
    }

    /** Whether this is fed by StatsD gauge lines, whose value carries into later windows. */
    public boolean isGauge() {
        return gauge != NOT_A_GAUGE;
    }

    public MetricFunction function() {
        return MetricFunction.ofCode(function);
    }

    public long count() {
        return count;
    }

    public long lastReceivedAt() {
        return lastReceivedAt;
    }

    static DDSketch newSketch() {
        return DDSketches.unboundedDense(PERCENTILE_ACCURACY);
    }
}
