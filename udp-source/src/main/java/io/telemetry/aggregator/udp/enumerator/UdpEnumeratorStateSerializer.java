package io.telemetry.aggregator.udp.enumerator;

import io.telemetry.aggregator.udp.split.UdpSplit;
import io.telemetry.aggregator.udp.split.UdpSplitSerializer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Versioned serializer of {@link UdpEnumeratorState}. Version 1 (release 0.1.0) was empty; version
 * 2 holds the handed-back splits, each in the split serializer's current version.
 */
public final class UdpEnumeratorStateSerializer
        implements SimpleVersionedSerializer<UdpEnumeratorState> {

    public static final UdpEnumeratorStateSerializer INSTANCE = new UdpEnumeratorStateSerializer();

    private static final int VERSION_1 = 1;
    private static final int VERSION_2 = 2;

    @Override
    public int getVersion() {
        return VERSION_2;
    }

    @Override
    public byte[] serialize(UdpEnumeratorState state) throws IOException {
        UdpSplitSerializer splits = UdpSplitSerializer.INSTANCE;
        DataOutputSerializer out = new DataOutputSerializer(64);
        out.writeInt(splits.getVersion());
        out.writeInt(state.returnedSplits().size());
        for (UdpSplit split : state.returnedSplits()) {
            byte[] bytes = splits.serialize(split);
            out.writeInt(bytes.length);
            out.write(bytes);
        }
        return out.getCopyOfBuffer();
    }

    @Override
    public UdpEnumeratorState deserialize(int version, byte[] serialized) throws IOException {
        switch (version) {
            case VERSION_1:
                if (serialized.length != 0) {
                    throw new IOException(
                            "A version 1 UDP enumerator state is empty, not "
                                    + serialized.length
                                    + " bytes");
                }
                return UdpEnumeratorState.EMPTY;
            case VERSION_2:
                DataInputDeserializer in = new DataInputDeserializer(serialized);
                int splitVersion = in.readInt();
                int count = in.readInt();
                List<UdpSplit> splits = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    byte[] bytes = new byte[in.readInt()];
                    in.readFully(bytes);
                    splits.add(UdpSplitSerializer.INSTANCE.deserialize(splitVersion, bytes));
                }
                return new UdpEnumeratorState(splits);
            default:
                throw new IOException("Unknown UDP enumerator state serializer version " + version);
        }
    }
}
