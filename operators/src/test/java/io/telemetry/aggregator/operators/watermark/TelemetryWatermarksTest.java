package io.telemetry.aggregator.operators.watermark;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetry.aggregator.operators.MetricFunction;
import io.telemetry.aggregator.operators.TelemetryRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.util.clock.ManualClock;
import org.junit.jupiter.api.Test;

class TelemetryWatermarksTest {

    private final ManualClock clock = new ManualClock(1_000_000);
    private final RecordingOutput out = new RecordingOutput();
    private final TelemetryWatermarks generator =
            new TelemetryWatermarks(
                    Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(3), clock);

    private void event(long ts) {
        generator.onEvent(
                new TelemetryRecord("m", "s", "{}", MetricFunction.AVG, 1, ts, 0), ts, out);
    }

    private void tick(long millis) {
        clock.advanceTime(Duration.ofMillis(millis));
        generator.onPeriodicEmit(out);
    }

    @Test
    void aReaderThatNeverSawARecordIsIdle() {
        tick(200);
        tick(200);
        assertThat(out.events).containsExactly("idle");
    }

    @Test
    void trailsTheNewestEventTimeByTheBound() {
        event(120_000);
        event(110_000);
        tick(200);
        event(130_500);
        tick(200);
        assertThat(out.events).containsExactly("wm 114999", "wm 125499");
    }

    @Test
    void movesOnWithTheWallClockWhenTrafficStopsThenGoesIdle() {
        event(100_000); // window [60000, 120000)
        tick(200);
        tick(2_000); // quiet 2 s: steady
        tick(1_000); // quiet 3 s: starts moving, +0
        tick(10_000); // quiet 13 s: +10 s
        tick(14_999); // quiet 27.999 s: +24.999 s -> 119998
        tick(1); // quiet 28 s: reaches 119999, the end of the window
        tick(5_000);

        assertThat(out.events)
                .containsExactly(
                        "wm 94999",
                        "wm 94999",
                        "wm 94999",
                        "wm 104999",
                        "wm 119998",
                        "wm 119999",
                        "idle");
    }

    @Test
    void windowsCloseWithinBoundPlusWindowPlusIdleTimeout() {
        event(60_000); // the worst case: the first millisecond of a window
        tick(200);
        long quiet = 0;
        long bound = 5_000 + 60_000 + 3_000 + 200;
        while (!out.events.contains("idle") && quiet <= bound) {
            tick(200);
            quiet += 200;
        }
        assertThat(out.events).contains("wm 119999", "idle");
        assertThat(quiet).isLessThanOrEqualTo(bound);
    }

    @Test
    void becomesActiveAgainWhenRecordsReturn() {
        event(100_000);
        tick(200);
        tick(40_000);
        assertThat(out.events).endsWith("wm 119999", "idle");

        event(200_000);
        tick(200);
        assertThat(out.events).endsWith("idle", "active", "wm 194999");
    }

    @Test
    void oldDataKeepsItsOwnEventTime() {
        long old = 1_000_000_000L; // 1970, replayed now
        event(old);
        tick(200);
        assertThat(out.events).containsExactly("wm " + (old - 5001));
    }

    private static final class RecordingOutput implements WatermarkOutput {
        final List<String> events = new ArrayList<>();

        @Override
        public void emitWatermark(Watermark watermark) {
            events.add("wm " + watermark.getTimestamp());
        }

        @Override
        public void markIdle() {
            events.add("idle");
        }

        @Override
        public void markActive() {
            events.add("active");
        }
    }
}
