package io.telemetry.aggregator.sinks.influxdb;

import io.telemetry.aggregator.operators.WindowAggregate;
import java.net.URI;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.sink.AsyncSinkBase;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The InfluxDB output, on Flink's async sink: points are batched, a bounded number of write
 * requests are in flight, buffered points are part of checkpoints, and a slow or absent InfluxDB
 * holds the job back rather than losing points.
 *
 * <p>Errors: 429 and 5xx answers and connection failures are retried with growing pauses (honouring
 * {@code Retry-After}) for as long as it takes; a 400 (a point InfluxDB will not parse) is logged
 * with the server's message and counted in {@code sink_rejected_points}, not retried; 401, 403, 404
 * and other answers fail the job with the server's message. Delivery is at-least-once, and a
 * repeated point overwrites the same series and timestamp, so each window is one point.
 */
public final class InfluxDbSink extends AsyncSinkBase<WindowAggregate, String> {

    private static final long serialVersionUID = 1L;

    /** The most line protocol one write request carries. */
    static final long MAX_REQUEST_BYTES = 8L << 20;

    /** The longest point: more than any aggregate of a datagram (at most 64 KiB) can make. */
    static final long MAX_POINT_BYTES = 1L << 20;

    private final InfluxDbTarget target;

    private InfluxDbSink(
            InfluxDbTarget target,
            int batchSize,
            int maxInFlight,
            int maxBuffered,
            long flushIntervalMillis) {
        super(
                converter(target.isV2()),
                batchSize,
                maxInFlight,
                maxBuffered,
                MAX_REQUEST_BYTES,
                flushIntervalMillis,
                MAX_POINT_BYTES);
        this.target = target;
    }

    private static ElementConverter<WindowAggregate, String> converter(boolean v2) {
        return (a, ctx) -> LineProtocol.point(a, v2);
    }

    /**
     * Reads and checks the {@code sink.influxdb.*} settings.
     *
     * @throws IllegalArgumentException one line naming the setting and what is allowed
     */
    public static InfluxDbSink from(Configuration config) {
        String url = config.get(InfluxDbSinkOptions.URL);
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException(
                    InfluxDbSinkOptions.URL.key()
                            + " is missing: the influxdb sink needs a URL, e.g. http://influxdb:8086"
                            + " (or set INFLUXDB_URL)");
        }
        URI uri;
        try {
            uri = URI.create(url.trim());
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        if (uri == null
                || uri.getHost() == null
                || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            throw new IllegalArgumentException(
                    InfluxDbSinkOptions.URL.key()
                            + "="
                            + url
                            + " is not allowed: use an http:// or https:// URL, e.g. http://influxdb:8086");
        }
        String bucket = config.get(InfluxDbSinkOptions.BUCKET);
        String database = config.get(InfluxDbSinkOptions.DATABASE);
        InfluxDbTarget target;
        if (bucket != null && database != null) {
            throw new IllegalArgumentException(
                    "sink.influxdb.bucket and sink.influxdb.database are both set: set the bucket for"
                            + " the v2 API or the database for the v1 API, not both");
        } else if (bucket != null) {
            String token = config.get(InfluxDbSinkOptions.TOKEN);
            if (token == null || token.isBlank()) {
                throw new IllegalArgumentException(
                        InfluxDbSinkOptions.TOKEN.key()
                                + " is missing: the v2 API (sink.influxdb.bucket) needs a token"
                                + " (or set INFLUXDB_TOKEN)");
            }
            target =
                    InfluxDbTarget.v2(
                            url.trim(), config.get(InfluxDbSinkOptions.ORG), bucket, token);
        } else if (database != null) {
            target =
                    InfluxDbTarget.v1(
                            url.trim(),
                            database,
                            config.get(InfluxDbSinkOptions.RETENTION_POLICY),
                            config.get(InfluxDbSinkOptions.USERNAME),
                            config.get(InfluxDbSinkOptions.PASSWORD));
        } else {
            throw new IllegalArgumentException(
                    "sink.influxdb.bucket (v2 API, or INFLUXDB_BUCKET) or sink.influxdb.database"
                            + " (v1 API) is missing: the influxdb sink needs one of them");
        }
        for (var option :
                List.of(
                        InfluxDbSinkOptions.BATCH_SIZE,
                        InfluxDbSinkOptions.MAX_IN_FLIGHT,
                        InfluxDbSinkOptions.MAX_BUFFERED)) {
            if (config.get(option) < 1) {
                throw new IllegalArgumentException(
                        option.key() + "=" + config.get(option) + " is not allowed: use 1 or more");
            }
        }
        int batchSize = config.get(InfluxDbSinkOptions.BATCH_SIZE);
        int maxBuffered = config.get(InfluxDbSinkOptions.MAX_BUFFERED);
        if (maxBuffered < batchSize) {
            throw new IllegalArgumentException(
                    InfluxDbSinkOptions.MAX_BUFFERED.key()
                            + "="
                            + maxBuffered
                            + " is not allowed: use at least sink.influxdb.batch-size ("
                            + batchSize
                            + ")");
        }
        return new InfluxDbSink(
                target,
                batchSize,
                config.get(InfluxDbSinkOptions.MAX_IN_FLIGHT),
                maxBuffered,
                Math.max(1, config.get(InfluxDbSinkOptions.FLUSH_INTERVAL).toMillis()));
    }

    @Override
    public StatefulSinkWriter<WindowAggregate, BufferedRequestState<String>> createWriter(
            WriterInitContext context) {
        return restoreWriter(context, List.of());
    }

    @Override
    public StatefulSinkWriter<WindowAggregate, BufferedRequestState<String>> restoreWriter(
            WriterInitContext context, Collection<BufferedRequestState<String>> recoveredState) {
        AsyncSinkWriterConfiguration config =
                AsyncSinkWriterConfiguration.builder()
                        .setMaxBatchSize(getMaxBatchSize())
                        .setMaxBatchSizeInBytes(getMaxBatchSizeInBytes())
                        .setMaxInFlightRequests(getMaxInFlightRequests())
                        .setMaxBufferedRequests(getMaxBufferedRequests())
                        .setMaxTimeInBufferMS(getMaxTimeInBufferMS())
                        .setMaxRecordSizeInBytes(getMaxRecordSizeInBytes())
                        .build();
        return new InfluxDbSinkWriter(
                getElementConverter(), context, config, recoveredState, target);
    }

    @Override
    public SimpleVersionedSerializer<BufferedRequestState<String>> getWriterStateSerializer() {
        return new PointStateSerializer();
    }

    @Override
    public String toString() {
        return "InfluxDB " + target;
    }
}
