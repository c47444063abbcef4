package io.telemetry.aggregator.operators.aggregate;

import io.telemetry.aggregator.operators.DeadLetter;
import io.telemetry.aggregator.operators.JsonText;
import java.time.Instant;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;

/**
 * Makes a dead letter of each record that arrived after its window was emitted and its allowed
 * lateness had passed. The raw text is gone by then, so the record is shown as the values the
 * window would have used. Counted as {@code records_late} and as {@code failed_events_count} with
 * reason {@code late}.
 */
public final class LateRecordDeadLetters extends RichMapFunction<PartialAggregate, DeadLetter> {

    private static final long serialVersionUID = 1L;

    private final long windowSizeMillis;
    private transient Counter late;
    private transient Counter failed;

    public LateRecordDeadLetters(long windowSizeMillis) {
        this.windowSizeMillis = windowSizeMillis;
    }

    @Override
    public void open(OpenContext openContext) {
        late = getRuntimeContext().getMetricGroup().counter("records_late");
        failed =
                getRuntimeContext()
                        .getMetricGroup()
                        .addGroup("reason", DeadLetter.LATE)
                        .counter("failed_events_count");
    }

    @Override
    public DeadLetter map(PartialAggregate p) {
        long n = p.count();
        late.inc(n);
        failed.inc(n);
        String detail =
                "window ["
                        + Instant.ofEpochMilli(p.windowStart)
                        + ", "
                        + Instant.ofEpochMilli(p.windowStart + windowSizeMillis)
                        + ") was already emitted and its allowed lateness has passed";
        return new DeadLetter(
                DeadLetter.LATE, detail, "", p.accumulator.lastReceivedAt(), describe(p));
    }

    /**
     * The record as the window would have used it. Late records reach the window one at a time (see
     * {@link PreAggregationOperator}); should several ever arrive combined, their number and
     * combined result are shown instead of the value.
     */
    static String describe(PartialAggregate p) {
        StringBuilder sb = new StringBuilder(128).append("{\"metric\":");
        JsonText.appendQuoted(sb, p.metric);
        sb.append(",\"source\":");
        JsonText.appendQuoted(sb, p.source);
        sb.append(",\"tags\":").append(p.tags);
        sb.append(",\"function\":\"").append(p.function().label());
        if (p.count() == 1) {
            sb.append("\",\"value\":").append(p.value);
        } else {
            sb.append("\",\"records\":")
                    .append(p.count())
                    .append(",\"result\":")
                    .append(p.accumulator.result());
        }
        sb.append(",\"time\":\"").append(Instant.ofEpochMilli(p.timestamp)).append("\"}");
        return sb.toString();
    }
}
