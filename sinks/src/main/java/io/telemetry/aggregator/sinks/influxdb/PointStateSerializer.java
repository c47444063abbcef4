package io.telemetry.aggregator.sinks.influxdb;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriterStateSerializer;

/** Serializes the points an InfluxDB sink writer still holds at a checkpoint. */
final class PointStateSerializer extends AsyncSinkWriterStateSerializer<String> {

    private static final int VERSION_1 = 1;

    @Override
    protected void serializeRequestToStream(String point, DataOutputStream out) throws IOException {
        byte[] bytes = point.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    @Override
    protected String deserializeRequestFromStream(long requestSize, DataInputStream in)
            throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public int getVersion() {
        return VERSION_1;
    }
}
