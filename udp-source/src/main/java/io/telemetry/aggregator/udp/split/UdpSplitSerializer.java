package io.telemetry.aggregator.udp.split;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/** Versioned serializer of {@link UdpSplit}. */
public final class UdpSplitSerializer implements SimpleVersionedSerializer<UdpSplit> {

    public static final UdpSplitSerializer INSTANCE = new UdpSplitSerializer();

    private static final int VERSION_1 = 1;

    @Override
    public int getVersion() {
        return VERSION_1;
    }

    @Override
    public byte[] serialize(UdpSplit split) {
        return ByteBuffer.allocate(4).putInt(split.getSubtaskId()).array();
    }

    @Override
    public UdpSplit deserialize(int version, byte[] serialized) throws IOException {
        switch (version) {
            case VERSION_1:
                if (serialized.length != 4) {
                    throw new IOException(
                            "A version 1 UDP split has 4 bytes, not " + serialized.length);
                }
                return new UdpSplit(ByteBuffer.wrap(serialized).getInt());
            default:
                throw new IOException("Unknown UDP split serializer version " + version);
        }
    }
}
