package io.telemetry.aggregator.operators;

import java.util.Objects;

/** The result of one series in one window: the contract's output record. A Flink POJO. */
public class WindowAggregate {

    public String metric;
    public String source;

    /** Canonical JSON object of the tags. */
    public String tags;

    /** Function name, e.g. {@code avg}. */
    public String function;

    /** Window start, epoch milliseconds (inclusive). */
    public long windowStart;

    /** Window end, epoch milliseconds (exclusive). */
    public long windowEnd;

    public double value;

    /** Records aggregated into this window for this series. */
    public long count;

    /** Arrival time of the newest record in the window; feeds the processing-time metric. */
    public long lastReceivedAt;

    public WindowAggregate() {}

    public WindowAggregate(
            String metric,
            String source,
            String tags,
            String function,
            long windowStart,
            long windowEnd,
            double value,
            long count,
            long lastReceivedAt) {
        this.metric = metric;
        this.source = source;
        this.tags = tags;
        this.function = function;
        this.windowStart = windowStart;
        this.windowEnd = windowEnd;
        this.value = value;
        this.count = count;
        this.lastReceivedAt = lastReceivedAt;
    }

    /** The series key as a string: {@code metric|source|tags|function}. */
    public String seriesKey() {
        return SeriesKey.format(metric, source, tags, function);
    }

    /** Equality on what users see; the arrival time is bookkeeping. */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof WindowAggregate)) {
            return false;
        }
        WindowAggregate that = (WindowAggregate) o;
        return windowStart == that.windowStart
                && windowEnd == that.windowEnd
                && Double.compare(value, that.value) == 0
                && count == that.count
                && Objects.equals(metric, that.metric)
                && Objects.equals(source, that.source)
                && Objects.equals(tags, that.tags)
                && Objects.equals(function, that.function);
    }

    @Override
    public int hashCode() {
        return Objects.hash(metric, source, tags, function, windowStart, windowEnd, value, count);
    }

    @Override
    public String toString() {
        return seriesKey()
                + " ["
                + windowStart
                + ","
                + windowEnd
                + ") value="
                + value
                + " count="
                + count;
    }
}
