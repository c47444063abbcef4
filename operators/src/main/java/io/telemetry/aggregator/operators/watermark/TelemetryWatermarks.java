package io.telemetry.aggregator.operators.watermark;

import io.telemetry.aggregator.operators.TelemetryRecord;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.util.clock.RelativeClock;

/**
 * Bounded-out-of-orderness watermarks that do not stall when the traffic stops.
 *
 * <p>While records arrive, the watermark is the newest event time minus the out-of-orderness bound,
 * as in Flink's own generator. Once a reader has seen nothing for the idle timeout, its watermark
 * moves on from there at the pace of the wall clock, as if event time kept flowing, until it
 * reaches the end of the window of the newest event; then every window this reader fed has been
 * emitted and the reader declares itself idle, so that it no longer holds back the readers that
 * still get traffic. A reader that has never seen a record is idle from the start.
 *
 * <p>{@link TelemetryWatermarkOperator} runs it in the job and keeps its progress in checkpoints.
 *
 * <p>Only the time since the last record is read from the clock, never the wall-clock time itself:
 * replays of old data keep their event time, and a window closes at most out-of-orderness + window
 * size + idle timeout after the last datagram.
 */
public final class TelemetryWatermarks implements WatermarkGenerator<TelemetryRecord> {

    private final long outOfOrdernessMillis;
    private final long windowSizeMillis;
    private final long idleTimeoutMillis;
    private final RelativeClock clock;

    private long maxTimestamp = Long.MIN_VALUE;
    private boolean activeSinceLastEmit;
    private long lastActivityMillis;
    private boolean idle;

    public TelemetryWatermarks(
            Duration outOfOrderness,
            Duration windowSize,
            Duration idleTimeout,
            RelativeClock clock) {
        this.outOfOrdernessMillis = outOfOrderness.toMillis();
        this.windowSizeMillis = windowSize.toMillis();
        this.idleTimeoutMillis = idleTimeout.toMillis();
        this.clock = clock;
    }

    /**
     * Continues from a checkpoint: the newest event time seen before it counts as seen now, so that
     * without new traffic the open windows are still emitted after the idle timeout.
     */
    public void restore(long maxTimestamp) {
        if (maxTimestamp > this.maxTimestamp) {
            this.maxTimestamp = maxTimestamp;
            this.activeSinceLastEmit = true;
        }
    }

    /** The newest event time seen, or {@code Long.MIN_VALUE}. */
    public long maxTimestamp() {
        return maxTimestamp;
    }

    @Override
    public void onEvent(TelemetryRecord record, long timestamp, WatermarkOutput output) {
        if (timestamp > maxTimestamp) {
            maxTimestamp = timestamp;
        }
        activeSinceLastEmit = true;
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        long now = clock.relativeTimeMillis();
        if (maxTimestamp == Long.MIN_VALUE) {
            markIdle(output);
            return;
        }
        long steady = maxTimestamp - outOfOrdernessMillis - 1;
        if (activeSinceLastEmit) {
            activeSinceLastEmit = false;
            lastActivityMillis = now;
            if (idle) {
                idle = false;
                output.markActive();
            }
            output.emitWatermark(new Watermark(steady));
            return;
        }
        if (idle) {
            return;
        }
        long quiet = now - lastActivityMillis;
        if (quiet < idleTimeoutMillis) {
            output.emitWatermark(new Watermark(steady));
            return;
        }
        long lastWindowEnd =
                maxTimestamp - Math.floorMod(maxTimestamp, windowSizeMillis) + windowSizeMillis;
        long flushed = lastWindowEnd - 1;
        long advanced = steady + (quiet - idleTimeoutMillis);
        if (advanced >= flushed) {
            output.emitWatermark(new Watermark(flushed));
            markIdle(output);
        } else {
            output.emitWatermark(new Watermark(advanced));
        }
    }

    private void markIdle(WatermarkOutput output) {
        if (!idle) {
            idle = true;
            output.markIdle();
        }
    }
}
