package io.telemetry.aggregator.services;

/**
 * One row of an aggregate table as PostgreSQL returns it ({@code tags} as jsonb's text, window
 * bounds in epoch milliseconds). {@link #toString} is the compact form the tests compare: {@code
 * metric source tags function @window_start = value xcount}.
 */
public record AggregateRow(
        String metric,
        String source,
        String tags,
        String function,
        long windowStart,
        long windowEnd,
        double value,
        long count) {

    @Override
    public String toString() {
        return metric
                + " "
                + source
                + " "
                + tags
                + " "
                + function
                + " @"
                + windowStart
                + " = "
                + value
                + " x"
                + count;
    }
}
