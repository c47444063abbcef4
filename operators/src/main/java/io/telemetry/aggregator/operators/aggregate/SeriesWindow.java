package io.telemetry.aggregator.operators.aggregate;

import io.telemetry.aggregator.operators.SeriesKey;
import io.telemetry.aggregator.operators.TelemetryRecord;

/**
 * A series ({@link SeriesKey}) in one window: what the pre-aggregation combines records by.
 * Mutable, so that one instance can serve as the lookup probe of every record without allocating;
 * the key stored in a map is a {@link #copy()}.
 */
public final class SeriesWindow {

    private final SeriesKey series;
    private long windowStart;

    public SeriesWindow() {
        this(new SeriesKey());
    }

    private SeriesWindow(SeriesKey series) {
        this.series = series;
    }

    /** Makes this the series and window of a record. */
    public SeriesWindow set(TelemetryRecord record, long windowStart) {
        series.metric = record.metric;
        series.source = record.source;
        series.tags = record.tags;
        series.function = record.function;
        this.windowStart = windowStart;
        return this;
    }

    public SeriesWindow copy() {
        SeriesWindow c =
                new SeriesWindow(
                        new SeriesKey(series.metric, series.source, series.tags, series.function));
        c.windowStart = windowStart;
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return this == o
                || (o instanceof SeriesWindow
                        && windowStart == ((SeriesWindow) o).windowStart
                        && series.equals(((SeriesWindow) o).series));
    }

    @Override
    public int hashCode() {
        return 31 * series.hashCode() + Long.hashCode(windowStart);
    }

    @Override
    public String toString() {
        return series + " @" + windowStart;
    }
}
