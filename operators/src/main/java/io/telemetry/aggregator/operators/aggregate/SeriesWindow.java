package io.telemetry.aggregator.operators.aggregate;

import io.telemetry.aggregator.operators.TelemetryRecord;

/**
 * A series (metric, source, tags, function) in one window: what the pre-aggregation combines
 * records by. Mutable, so that one instance can serve as the lookup probe of every record; the key
 * stored in a map is a {@link #copy()}.
 */
public final class SeriesWindow {

    private String metric;
    private String source;
    private String tags;
    private byte function;
    private long windowStart;

    /** Makes this the series and window of a record. */
    public SeriesWindow set(TelemetryRecord record, long windowStart) {
        this.metric = record.metric;
        this.source = record.source;
        this.tags = record.tags;
        this.function = record.function;
        this.windowStart = windowStart;
        return this;
    }

    public SeriesWindow copy() {
        SeriesWindow c = new SeriesWindow();
        c.metric = metric;
        c.source = source;
        c.tags = tags;
        c.function = function;
        c.windowStart = windowStart;
        return c;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SeriesWindow)) {
            return false;
        }
        SeriesWindow that = (SeriesWindow) o;
        return windowStart == that.windowStart
                && function == that.function
                && metric.equals(that.metric)
                && source.equals(that.source)
                && tags.equals(that.tags);
    }

    @Override
    public int hashCode() {
        int h = metric.hashCode();
        h = 31 * h + source.hashCode();
        h = 31 * h + tags.hashCode();
        h = 31 * h + function;
        return 31 * h + Long.hashCode(windowStart);
    }

    @Override
    public String toString() {
        return metric + '|' + source + '|' + tags + '|' + function + " @" + windowStart;
    }
}
