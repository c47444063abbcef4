package io.telemetry.aggregator.operators.aggregate;

import com.carrotsearch.hppc.LongHashSet;
import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import com.datadoghq.sketch.ddsketch.store.UnboundedSizeDenseStore;
import io.telemetry.aggregator.operators.MetricFunction;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializes {@link MetricAccumulator} for window state and checkpoints, writing only what its
 * function uses.
 *
 * <p>Every value starts with a format byte, so a later version can read state written by this one:
 * add a format, keep reading the old ones, never change what a format number means. Format 1:
 * function, count, last arrival time, then per function: nothing (count); the value (sum, avg, min,
 * max); value and event time (first, last); mean and squared deviations (stddev); the distinct
 * members (count_distinct); the DDSketch in its own encoding (percentiles). Format 2 (written since
 * StatsD's sampled timers and gauges): as format 1, and the sum of the records' weights after a
 * count, and the gauge byte after a last's event time. Format 1 reads as a count whose weights are
 * all 1 and a last that is not a gauge.
 */
public final class MetricAccumulatorSerializer extends TypeSerializer<MetricAccumulator> {

    private static final long serialVersionUID = 1L;

    public static final MetricAccumulatorSerializer INSTANCE = new MetricAccumulatorSerializer();

    private static final byte FORMAT_1 = 1;
    private static final byte FORMAT_2 = 2;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<MetricAccumulator> duplicate() {
        return this;
    }

    @Override
    public MetricAccumulator createInstance() {
        return new MetricAccumulator();
    }

    @Override
    public MetricAccumulator copy(MetricAccumulator from) {
        return from.copy();
    }

    @Override
    public MetricAccumulator copy(MetricAccumulator from, MetricAccumulator reuse) {
        return from.copy();
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(MetricAccumulator acc, DataOutputView out) throws IOException {
        out.writeByte(FORMAT_2);
        out.writeByte(acc.function);
        out.writeLong(acc.count);
        out.writeLong(acc.lastReceivedAt);
        switch (layoutOf(acc.function)) {
            case COUNT:
                if (acc.function != MetricAccumulator.NO_FUNCTION) {
                    out.writeDouble(acc.value);
                }
                break;
            case SUM:
            case MIN:
            case MAX:
            case AVG:
                out.writeDouble(acc.value);
                break;
            case FIRST:
                out.writeDouble(acc.value);
                out.writeLong(acc.timestamp);
                break;
            case LAST:
                out.writeDouble(acc.value);
                out.writeLong(acc.timestamp);
                out.writeByte(acc.gauge);
                break;
            case STDDEV:
                out.writeDouble(acc.value);
                out.writeDouble(acc.m2);
                break;
            case COUNT_DISTINCT:
                long[] members = acc.distinct == null ? new long[0] : acc.distinct.toArray();
                out.writeInt(members.length);
                for (long m : members) {
                    out.writeLong(m);
                }
                break;
            default:
                if (acc.sketch == null) {
                    out.writeInt(0);
                } else {
                    GrowingByteArrayOutput bytes =
                            GrowingByteArrayOutput.withDefaultInitialCapacity();
                    acc.sketch.encode(bytes, false);
                    out.writeInt(bytes.numWrittenBytes());
                    out.write(bytes.backingArray(), 0, bytes.numWrittenBytes());
                }
        }
    }

    @Override
    public MetricAccumulator deserialize(DataInputView in) throws IOException {
        byte format = in.readByte();
        if (format != FORMAT_1 && format != FORMAT_2) {
            throw new IOException(
                    "Unknown accumulator format "
                            + format
                            + "; this state was written by a newer version of the job");
        }
        MetricAccumulator acc = new MetricAccumulator();
        acc.function = in.readByte();
        acc.count = in.readLong();
        acc.lastReceivedAt = in.readLong();
        switch (layoutOf(acc.function)) {
            case COUNT:
                if (acc.function == MetricAccumulator.NO_FUNCTION) {
                    break;
                }
                acc.value = format == FORMAT_1 ? acc.count : in.readDouble();
                break;
            case SUM:
            case MIN:
            case MAX:
            case AVG:
                acc.value = in.readDouble();
                break;
            case FIRST:
                acc.value = in.readDouble();
                acc.timestamp = in.readLong();
                break;
            case LAST:
                acc.value = in.readDouble();
                acc.timestamp = in.readLong();
                if (format == FORMAT_2) {
                    acc.gauge = in.readByte();
                }
                break;
            case STDDEV:
                acc.value = in.readDouble();
                acc.m2 = in.readDouble();
                break;
            case COUNT_DISTINCT:
                int n = in.readInt();
                acc.distinct = new LongHashSet(n);
                for (int i = 0; i < n; i++) {
                    acc.distinct.add(in.readLong());
                }
                break;
            default:
                int length = in.readInt();
                if (length > 0) {
                    byte[] bytes = new byte[length];
                    in.readFully(bytes);
                    acc.sketch =
                            DDSketch.decode(
                                    ByteArrayInput.wrap(bytes), UnboundedSizeDenseStore::new);
                }
        }
        return acc;
    }

    @Override
    public MetricAccumulator deserialize(MetricAccumulator reuse, DataInputView in)
            throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof MetricAccumulatorSerializer;
    }

    @Override
    public int hashCode() {
        return MetricAccumulatorSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<MetricAccumulator> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer's snapshot; each value carries its own format byte. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<MetricAccumulator> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    /**
     * The function whose fields an accumulator with this code carries; an empty accumulator (no
     * function yet) carries none, as a count does.
     */
    private static MetricFunction layoutOf(byte function) {
        return function == MetricAccumulator.NO_FUNCTION
                ? MetricFunction.COUNT
                : MetricFunction.ofCode(function);
    }
}
