package io.telemetry.aggregator.operators.aggregate;

import java.io.Serializable;

/**
 * How many series one parallel window task takes into one window: in all, of one source, of one
 * metric name (0: no limit). See {@link SeriesAdmission}.
 */
public final class CardinalityLimits implements Serializable {

    private static final long serialVersionUID = 1L;

    /** No limit at all. */
    public static final CardinalityLimits NONE = new CardinalityLimits(0, 0, 0, 60_000, 0);

    final int maxSeries;
    final int maxSeriesPerSource;
    final int maxSeriesPerMetric;
    final long windowSizeMillis;
    final long allowedLatenessMillis;

    public CardinalityLimits(
            int maxSeries,
            int maxSeriesPerSource,
            int maxSeriesPerMetric,
            long windowSizeMillis,
            long allowedLatenessMillis) {
        this.maxSeries = maxSeries;
        this.maxSeriesPerSource = maxSeriesPerSource;
        this.maxSeriesPerMetric = maxSeriesPerMetric;
        this.windowSizeMillis = windowSizeMillis;
        this.allowedLatenessMillis = allowedLatenessMillis;
    }

    /** Whether no limit is set. */
    boolean isNone() {
        return maxSeries == 0 && maxSeriesPerSource == 0 && maxSeriesPerMetric == 0;
    }
}
