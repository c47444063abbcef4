package io.telemetry.aggregator.operators.watermark;

import io.telemetry.aggregator.operators.TelemetryRecord;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.clock.RelativeClock;

/**
 * Assigns each record its event time and emits the {@link TelemetryWatermarks} watermarks every
 * auto-watermark interval. Unlike Flink's own timestamp operator, it keeps the newest event time in
 * its checkpoint (union list state, so a change of parallelism keeps it too): after a restore with
 * no traffic, the windows that were open are still emitted after the idle timeout.
 */
public final class TelemetryWatermarkOperator extends AbstractStreamOperator<TelemetryRecord>
        implements OneInputStreamOperator<TelemetryRecord, TelemetryRecord>,
                ProcessingTimeCallback {

    private static final long serialVersionUID = 1L;

    private final Duration outOfOrderness;
    private final Duration windowSize;
    private final Duration idleTimeout;

    private transient TelemetryWatermarks generator;
    private transient WatermarkOutput watermarks;
    private transient ListState<Long> maxTimestampState;
    private transient long restoredMaxTimestamp;
    private transient long interval;

    public TelemetryWatermarkOperator(
            Duration outOfOrderness, Duration windowSize, Duration idleTimeout) {
        this.outOfOrderness = outOfOrderness;
        this.windowSize = windowSize;
        this.idleTimeout = idleTimeout;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        maxTimestampState =
                context.getOperatorStateStore()
                        .getUnionListState(
                                new ListStateDescriptor<>(
                                        "max-event-time", LongSerializer.INSTANCE));
        restoredMaxTimestamp = Long.MIN_VALUE;
        for (Long ts : maxTimestampState.get()) {
            restoredMaxTimestamp = Math.max(restoredMaxTimestamp, ts);
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        RelativeClock clock =
                new RelativeClock() {
                    @Override
                    public long relativeTimeMillis() {
                        return getProcessingTimeService().getCurrentProcessingTime();
                    }

                    @Override
                    public long relativeTimeNanos() {
                        return relativeTimeMillis() * 1_000_000;
                    }
                };
        generator = new TelemetryWatermarks(outOfOrderness, windowSize, idleTimeout, clock);
        if (restoredMaxTimestamp != Long.MIN_VALUE) {
            generator.restore(restoredMaxTimestamp);
        }
        watermarks = new Emitter();
        interval = getExecutionConfig().getAutoWatermarkInterval();
        if (interval <= 0) {
            interval = 200;
        }
        getProcessingTimeService()
                .registerTimer(
                        getProcessingTimeService().getCurrentProcessingTime() + interval, this);
    }

    @Override
    public void processElement(StreamRecord<TelemetryRecord> element) {
        TelemetryRecord record = element.getValue();
        element.setTimestamp(record.timestamp);
        output.collect(element);
        generator.onEvent(record, record.timestamp, watermarks);
    }

    @Override
    public void onProcessingTime(long time) {
        generator.onPeriodicEmit(watermarks);
        getProcessingTimeService()
                .registerTimer(
                        getProcessingTimeService().getCurrentProcessingTime() + interval, this);
    }

    /** Upstream has no event time of its own; only the end-of-input watermark passes. */
    @Override
    public void processWatermark(org.apache.flink.streaming.api.watermark.Watermark mark) {
        if (mark.getTimestamp() == Long.MAX_VALUE) {
            output.emitWatermark(mark);
        }
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus status) {}

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        long max = generator.maxTimestamp();
        maxTimestampState.update(max == Long.MIN_VALUE ? List.of() : List.of(max));
    }

    /** Emits increasing watermarks and the idle/active status downstream. */
    private final class Emitter implements WatermarkOutput {
        private long current = Long.MIN_VALUE;
        private boolean idle;

        @Override
        public void emitWatermark(Watermark watermark) {
            if (watermark.getTimestamp() <= current) {
                return;
            }
            current = watermark.getTimestamp();
            markActive();
            output.emitWatermark(new org.apache.flink.streaming.api.watermark.Watermark(current));
        }

        @Override
        public void markIdle() {
            if (!idle) {
                idle = true;
                output.emitWatermarkStatus(WatermarkStatus.IDLE);
            }
        }

        @Override
        public void markActive() {
            if (idle) {
                idle = false;
                output.emitWatermarkStatus(WatermarkStatus.ACTIVE);
            }
        }
    }
}
