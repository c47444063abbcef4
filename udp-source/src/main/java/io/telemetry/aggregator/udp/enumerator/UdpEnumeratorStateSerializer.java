package io.telemetry.aggregator.udp.enumerator;

import java.io.IOException;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/** Versioned serializer of {@link UdpEnumeratorState}. */
public final class UdpEnumeratorStateSerializer
        implements SimpleVersionedSerializer<UdpEnumeratorState> {

    public static final UdpEnumeratorStateSerializer INSTANCE = new UdpEnumeratorStateSerializer();

    private static final int VERSION_1 = 1;

    @Override
    public int getVersion() {
        return VERSION_1;
    }

    @Override
    public byte[] serialize(UdpEnumeratorState state) {
        return new byte[0];
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
            default:
                throw new IOException("Unknown UDP enumerator state serializer version " + version);
        }
    }
}
