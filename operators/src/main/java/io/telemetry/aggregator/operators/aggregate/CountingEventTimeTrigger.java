package io.telemetry.aggregator.operators.aggregate;

import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.windowing.triggers.Trigger;
import org.apache.flink.streaming.api.windowing.triggers.TriggerResult;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;

/**
 * Fires a window when the watermark passes its end, and again for each late record inside the
 * allowed lateness, like Flink's event-time trigger; also counts every record that reaches a window
 * as {@code aggregated_events_count}.
 *
 * <p>Without allowed lateness the window operator's own cleanup timer falls on the window's last
 * millisecond, and the trigger fires on it: the trigger registers no timer of its own then, so each
 * series and window costs one timer, not two registrations of the same one.
 */
public final class CountingEventTimeTrigger extends Trigger<Object, TimeWindow> {

    private static final long serialVersionUID = 1L;

    private final boolean ownTimer;

    private transient Counter aggregated;

    /**
     * @param allowedLatenessMs the window operator's allowed lateness
     */
    public CountingEventTimeTrigger(long allowedLatenessMs) {
        this.ownTimer = allowedLatenessMs > 0;
    }

    @Override
    public TriggerResult onElement(
            Object element, long timestamp, TimeWindow window, TriggerContext ctx)
            throws Exception {
        if (aggregated == null) {
            aggregated = ctx.getMetricGroup().counter("aggregated_events_count");
        }
        aggregated.inc(
                element instanceof PartialAggregate ? ((PartialAggregate) element).count() : 1);
        if (window.maxTimestamp() <= ctx.getCurrentWatermark()) {
            // Late but within the allowed lateness: emit the updated result at once.
            return TriggerResult.FIRE;
        }
        if (ownTimer) {
            ctx.registerEventTimeTimer(window.maxTimestamp());
        }
        return TriggerResult.CONTINUE;
    }

    @Override
    public TriggerResult onEventTime(long time, TimeWindow window, TriggerContext ctx) {
        return time == window.maxTimestamp() ? TriggerResult.FIRE : TriggerResult.CONTINUE;
    }

    @Override
    public TriggerResult onProcessingTime(long time, TimeWindow window, TriggerContext ctx) {
        return TriggerResult.CONTINUE;
    }

    @Override
    public void clear(TimeWindow window, TriggerContext ctx) {
        if (ownTimer) {
            ctx.deleteEventTimeTimer(window.maxTimestamp());
        }
    }

    @Override
    public String toString() {
        return "CountingEventTimeTrigger(" + (ownTimer ? "own timer" : "cleanup timer") + ")";
    }
}
