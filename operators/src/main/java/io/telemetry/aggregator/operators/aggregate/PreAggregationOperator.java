package io.telemetry.aggregator.operators.aggregate;

import io.telemetry.aggregator.operators.TelemetryRecord;
import java.util.HashMap;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * Combines the records of each series and window inside the parsing task, before the shuffle, so
 * that the network and the window state see one {@link PartialAggregate} per series and window and
 * flush instead of every record.
 *
 * <p>Exact and checkpoint-consistent without state of its own: everything held is emitted before
 * each watermark is passed on, before each checkpoint barrier ({@link #prepareSnapshotPreBarrier}),
 * when {@code maxSeries} partials are held, and at the end of input. As the window operator's
 * watermark is never ahead of this task's, a held record cannot turn late by being held. Records
 * that are already late here (behind the watermark by more than the allowed lateness), and all
 * records while the input is idle (other tasks' watermarks then rule downstream), pass on at once
 * as partials of one, so late ones still become one dead letter each.
 */
public final class PreAggregationOperator extends AbstractStreamOperator<PartialAggregate>
        implements OneInputStreamOperator<TelemetryRecord, PartialAggregate>, BoundedOneInput {

    private static final long serialVersionUID = 1L;

    private final long windowSize;
    private final long allowedLateness;
    private final int maxSeries;

    private transient HashMap<SeriesWindow, PartialAggregate> held;
    private transient SeriesWindow probe;
    private transient StreamRecord<PartialAggregate> out;
    private transient long watermark;
    private transient boolean idle;

    /**
     * @param maxSeries partials held at most before they are emitted; 0 passes every record on at
     *     once
     */
    public PreAggregationOperator(
            long windowSizeMillis, long allowedLatenessMillis, int maxSeries) {
        this.windowSize = windowSizeMillis;
        this.allowedLateness = allowedLatenessMillis;
        this.maxSeries = maxSeries;
    }

    @Override
    public void open() throws Exception {
        super.open();
        held = new HashMap<>();
        probe = new SeriesWindow();
        out = new StreamRecord<>(null);
        watermark = Long.MIN_VALUE;
    }

    @Override
    public void processElement(StreamRecord<TelemetryRecord> element) {
        TelemetryRecord record = element.getValue();
        long start = record.timestamp - Math.floorMod(record.timestamp, windowSize);
        if (idle || maxSeries == 0 || start + windowSize - 1 + allowedLateness <= watermark) {
            emit(PartialAggregate.of(record, start));
            return;
        }
        PartialAggregate partial = held.get(probe.set(record, start));
        if (partial == null) {
            partial = PartialAggregate.of(record, start);
            held.put(probe.copy(), partial);
            if (held.size() >= maxSeries) {
                flush();
            }
        } else {
            partial.add(record);
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        flush();
        watermark = mark.getTimestamp();
        super.processWatermark(mark);
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus status) throws Exception {
        flush();
        idle = status.isIdle();
        super.processWatermarkStatus(status);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        flush();
    }

    @Override
    public void endInput() {
        flush();
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    /** Partials held now (for tests). */
    int heldSeries() {
        return held.size();
    }

    private void flush() {
        if (held.isEmpty()) {
            return;
        }
        for (PartialAggregate partial : held.values()) {
            emit(partial);
        }
        held.clear();
    }

    private void emit(PartialAggregate partial) {
        output.collect(out.replace(partial, partial.timestamp));
    }
}
