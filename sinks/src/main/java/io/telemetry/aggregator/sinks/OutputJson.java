package io.telemetry.aggregator.sinks;

import io.telemetry.aggregator.operators.DeadLetter;
import io.telemetry.aggregator.operators.JsonText;
import io.telemetry.aggregator.operators.WindowAggregate;
import java.time.Instant;

/**
 * The JSON of both outputs, exactly as the data contract shows it: aggregates ({@link #aggregate})
 * and dead letters ({@link #deadLetter}).
 */
public final class OutputJson {

    /** The last window start and end written, formatted: a window's aggregates share them. */
    private static volatile FormattedInstant lastStart = new FormattedInstant(0);

    private static volatile FormattedInstant lastEnd = new FormattedInstant(0);

    private OutputJson() {}

    /**
     * {@code {"metric":…,"source":…,"tags":{…},"function":…,"window_start":"<ISO>",
     * "window_end":"<ISO>","value":…,"count":…}}.
     */
    public static String aggregate(WindowAggregate a) {
        StringBuilder sb = new StringBuilder(192).append("{\"metric\":");
        JsonText.appendQuoted(sb, a.metric);
        sb.append(",\"source\":");
        JsonText.appendQuoted(sb, a.source);
        sb.append(",\"tags\":").append(a.tags);
        sb.append(",\"function\":");
        JsonText.appendQuoted(sb, a.function);
        FormattedInstant start = lastStart;
        if (start.millis != a.windowStart) {
            lastStart = start = new FormattedInstant(a.windowStart);
        }
        FormattedInstant end = lastEnd;
        if (end.millis != a.windowEnd) {
            lastEnd = end = new FormattedInstant(a.windowEnd);
        }
        sb.append(",\"window_start\":\"").append(start.iso);
        sb.append("\",\"window_end\":\"").append(end.iso);
        sb.append("\",\"value\":");
        if (Double.isFinite(a.value)) {
            sb.append(a.value);
        } else {
            // JSON has no infinity: a sum that overflowed the double range.
            sb.append("null");
        }
        sb.append(",\"count\":").append(a.count);
        return sb.append('}').toString();
    }

    /** {@code {"reason":…,"detail":…,"sender":…,"received_at":"<ISO>","record":…}}. */
    public static String deadLetter(DeadLetter d) {
        StringBuilder sb = new StringBuilder(256).append("{\"reason\":");
        JsonText.appendQuoted(sb, d.reason);
        sb.append(",\"detail\":");
        JsonText.appendQuoted(sb, d.detail);
        sb.append(",\"sender\":");
        JsonText.appendQuoted(sb, d.sender);
        sb.append(",\"received_at\":\"").append(Instant.ofEpochMilli(d.receivedAt));
        sb.append("\",\"record\":");
        JsonText.appendQuoted(sb, d.record);
        return sb.append('}').toString();
    }

    /** An instant and its ISO-8601 text, immutable, so writers of any thread may share it. */
    private static final class FormattedInstant {
        final long millis;
        final String iso;

        FormattedInstant(long millis) {
            this.millis = millis;
            this.iso = Instant.ofEpochMilli(millis).toString();
        }
    }
}
