package io.telemetry.aggregator.udp.split;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Versioned serializer of {@link UdpSplit}. Version 1 (release 0.1.0) held the subtask only;
 * version 2 adds the journal's name, the position, the checkpointing source and the carried frames.
 */
public final class UdpSplitSerializer implements SimpleVersionedSerializer<UdpSplit> {

    public static final UdpSplitSerializer INSTANCE = new UdpSplitSerializer();

    private static final int VERSION_1 = 1;
    private static final int VERSION_2 = 2;

    @Override
    public int getVersion() {
        return VERSION_2;
    }

    @Override
    public byte[] serialize(UdpSplit split) throws IOException {
        byte[] carried = split.getCarried();
        DataOutputSerializer out =
                new DataOutputSerializer(64 + (carried == null ? 0 : carried.length));
        out.writeInt(split.getSubtaskId());
        writeNullable(out, split.getJournal());
        out.writeLong(split.getPosition());
        writeNullable(out, split.getCheckpointedBy());
        out.writeInt(carried == null ? -1 : carried.length);
        if (carried != null) {
            out.write(carried);
        }
        return out.getCopyOfBuffer();
    }

    private static void writeNullable(DataOutputSerializer out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static String readNullable(DataInputDeserializer in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
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
            case VERSION_2:
                DataInputDeserializer in = new DataInputDeserializer(serialized);
                int subtask = in.readInt();
                String journal = readNullable(in);
                long position = in.readLong();
                String by = readNullable(in);
                int length = in.readInt();
                if (length == -1 && in.available() == 0) {
                    return new UdpSplit(subtask, journal, position, by, null);
                }
                if (length < 0 || length != in.available()) {
                    throw new IOException(
                            "A version 2 UDP split says it carries "
                                    + length
                                    + " journal bytes but holds "
                                    + in.available());
                }
                byte[] carried = new byte[length];
                in.readFully(carried);
                return new UdpSplit(subtask, journal, position, by, carried);
            default:
                throw new IOException("Unknown UDP split serializer version " + version);
        }
    }
}
