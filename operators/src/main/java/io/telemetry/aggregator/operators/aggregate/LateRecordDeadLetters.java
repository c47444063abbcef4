package io.telemetry.aggregator.operators.aggregate;

import io.telemetry.aggregator.operators.DeadLetter;
import io.telemetry.aggregator.operators.TelemetryRecord;
import io.telemetry.aggregator.operators.parse.JsonText;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;

import java.time.Instant;

/**
 * Makes a dead letter of each record that arrived after its window was emitted and its allowed
 * lateness had passed. The raw text is gone by then, so the record is shown as the values the
 * window would have used. Counted as {@code records_late} and as {@code failed_events_count}
 * with reason {@code late}.
 */
public final class LateRecordDeadLetters extends RichMapFunction<TelemetryRecord, DeadLetter> {

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
    public DeadLetter map(TelemetryRecord r) {
        late.inc();
        failed.inc();
        long start = r.timestamp - Math.floorMod(r.timestamp, windowSizeMillis);
        String detail =
                "window ["
                        + Instant.ofEpochMilli(start)
                        + ", "
                        + Instant.ofEpochMilli(start + windowSizeMillis)
                        + ") was already emitted and its allowed lateness has passed";
        return new DeadLetter(DeadLetter.LATE, detail, "", r.receivedAt, describe(r));
    }

    static String describe(TelemetryRecord r) {
        StringBuilder sb = new StringBuilder(128).append("{\"metric\":");
        JsonText.appendQuoted(sb, r.metric);
        sb.append(",\"source\":");
        JsonText.appendQuoted(sb, r.source);
        sb.append(",\"tags\":").append(r.tags);
        sb.append(",\"function\":\"").append(r.function().label());
        sb.append("\",\"value\":").append(r.value);
        sb.append(",\"time\":\"").append(Instant.ofEpochMilli(r.timestamp)).append("\"}");
        return sb.toString();
    }
}
