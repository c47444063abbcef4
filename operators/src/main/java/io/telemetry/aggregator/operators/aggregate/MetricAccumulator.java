package io.telemetry.aggregator.operators.aggregate;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import io.telemetry.aggregator.operators.MetricFunction;
import io.telemetry.aggregator.operators.TelemetryRecord;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * The running result of one series in one window. It keeps only what its function needs: a sum, an
 * extreme, a first or last value with its event time, Welford's mean and squared deviations for
 * stddev, a DDSketch (1% relative accuracy) for percentiles, or the set of distinct values.
 * Serialized with {@link MetricAccumulatorSerializer}, never Kryo.
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
            case LAST: // the latest event time; on a tie the later arrival
                if (count == 1 || ts >= timestamp) {
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
                break;
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
                if (other.timestamp >= timestamp) {
                    value = other.value;
                    timestamp = other.timestamp;
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
        sketch = other.sketch == null ? null : other.sketch.copy();
        distinct = other.distinct == null ? null : other.distinct.copy();
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
                return count;
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
                MetricFunction f = MetricFunction.ofCode(function);
                return sketch == null ? Double.NaN : sketch.getValueAtQuantile(f.quantile());
        }
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
