package io.telemetry.aggregator.operators.watermark;

import io.telemetry.aggregator.operators.TelemetryRecord;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.util.clock.RelativeClock;

import java.time.Duration;

/**
 * Bounded-out-of-orderness watermarks that do not stall when the traffic stops.
 *
 * <p>While records arrive, the watermark is the newest event time minus the out-of-orderness
 * bound, as in Flink's own generator. Once a reader has seen nothing for the idle timeout, its
 * watermark moves on from there at the pace of the wall clock, as if event time kept flowing,
 * until it reaches the end of the window of the newest event; then every window this reader fed
 * has been emitted and the reader declares itself idle, so that it no longer holds back the
 * readers that still get traffic. A reader that has never seen a record is idle from the start.
 *
 * <p>Only the time since the last record is read from the clock, never the wall-clock time
 * itself: replays of old data keep their event time, and a window closes at most
 * out-of-orderness + window size + idle timeout after the last datagram.
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
            Duration outOfOrderness, Duration windowSize, Duration idleTimeout, RelativeClock clock) {
        this.outOfOrdernessMillis = outOfOrderness.toMillis();
        this.windowSizeMillis = windowSize.toMillis();
        this.idleTimeoutMillis = idleTimeout.toMillis();
        this.clock = clock;
    }

    /** The strategy for the job: these watermarks, and each record's own event time. */
    public static WatermarkStrategy<TelemetryRecord> strategy(
            Duration outOfOrderness, Duration windowSize, Duration idleTimeout) {
        return WatermarkStrategy.<TelemetryRecord>forGenerator(
                        ctx ->
                                new TelemetryWatermarks(
                                        outOfOrderness,
                                        windowSize,
                                        idleTimeout,
                                        ctx.getInputActivityClock()))
                .withTimestampAssigner((record, previous) -> record.timestamp);
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
