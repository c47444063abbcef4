package io.telemetry.aggregator.sinks.influxdb;

import static org.apache.flink.util.Preconditions.checkNotNull;

import io.telemetry.aggregator.operators.WindowAggregate;
import java.net.URI;
import java.time.Duration;
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

    /** A builder of the sink; {@link Builder#build()} checks the settings. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads and checks the {@code sink.influxdb.*} settings.
     *
     * @throws IllegalArgumentException one line naming the setting and what is allowed
     */
    public static InfluxDbSink from(Configuration config) {
        return builder()
                .setUrl(config.get(InfluxDbSinkOptions.URL))
                .setBucket(config.get(InfluxDbSinkOptions.BUCKET))
                .setOrg(config.get(InfluxDbSinkOptions.ORG))
                .setToken(config.get(InfluxDbSinkOptions.TOKEN))
                .setDatabase(config.get(InfluxDbSinkOptions.DATABASE))
                .setRetentionPolicy(config.get(InfluxDbSinkOptions.RETENTION_POLICY))
                .setUsername(config.get(InfluxDbSinkOptions.USERNAME))
                .setPassword(config.get(InfluxDbSinkOptions.PASSWORD))
                .setBatchSize(config.get(InfluxDbSinkOptions.BATCH_SIZE))
                .setMaxInFlight(config.get(InfluxDbSinkOptions.MAX_IN_FLIGHT))
                .setMaxBuffered(config.get(InfluxDbSinkOptions.MAX_BUFFERED))
                .setFlushInterval(config.get(InfluxDbSinkOptions.FLUSH_INTERVAL))
                .build();
    }

    /**
     * Builds an {@link InfluxDbSink}: a URL and either a bucket and token (the v2 API) or a
     * database (the v1 API); batching as the {@code sink.influxdb.*} defaults unless set.
     *
     * <pre>{@code
     * InfluxDbSink sink = InfluxDbSink.builder()
     *         .setUrl("http://influxdb:8086")
     *         .setBucket("telemetry")
     *         .setOrg("ops")
     *         .setToken(token)
     *         .build();
     * }</pre>
     */
    public static final class Builder {

        private String url;
        private String bucket;
        private String org = InfluxDbSinkOptions.ORG.defaultValue();
        private String token;
        private String database;
        private String retentionPolicy;
        private String username;
        private String password;
        private int batchSize = InfluxDbSinkOptions.BATCH_SIZE.defaultValue();
        private int maxInFlight = InfluxDbSinkOptions.MAX_IN_FLIGHT.defaultValue();
        private int maxBuffered = InfluxDbSinkOptions.MAX_BUFFERED.defaultValue();
        private Duration flushInterval = InfluxDbSinkOptions.FLUSH_INTERVAL.defaultValue();

        private Builder() {}

        public Builder setUrl(String url) {
            this.url = url;
            return this;
        }

        /** The v2 API's bucket. */
        public Builder setBucket(String bucket) {
            this.bucket = bucket;
            return this;
        }

        public Builder setOrg(String org) {
            this.org = org;
            return this;
        }

        public Builder setToken(String token) {
            this.token = token;
            return this;
        }

        /** The v1 API's database. */
        public Builder setDatabase(String database) {
            this.database = database;
            return this;
        }

        public Builder setRetentionPolicy(String retentionPolicy) {
            this.retentionPolicy = retentionPolicy;
            return this;
        }

        public Builder setUsername(String username) {
            this.username = username;
            return this;
        }

        public Builder setPassword(String password) {
            this.password = password;
            return this;
        }

        public Builder setBatchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        public Builder setMaxInFlight(int maxInFlight) {
            this.maxInFlight = maxInFlight;
            return this;
        }

        public Builder setMaxBuffered(int maxBuffered) {
            this.maxBuffered = maxBuffered;
            return this;
        }

        public Builder setFlushInterval(Duration flushInterval) {
            this.flushInterval = checkNotNull(flushInterval, "flushInterval");
            return this;
        }

        /**
         * Checks the settings and builds the sink.
         *
         * @throws IllegalArgumentException one line naming the setting and what is allowed
         */
        public InfluxDbSink build() {
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
            InfluxDbTarget target;
            if (bucket != null && database != null) {
                throw new IllegalArgumentException(
                        "sink.influxdb.bucket and sink.influxdb.database are both set: set the bucket for"
                                + " the v2 API or the database for the v1 API, not both");
            } else if (bucket != null) {
                if (token == null || token.isBlank()) {
                    throw new IllegalArgumentException(
                            InfluxDbSinkOptions.TOKEN.key()
                                    + " is missing: the v2 API (sink.influxdb.bucket) needs a token"
                                    + " (or set INFLUXDB_TOKEN)");
                }
                target = InfluxDbTarget.v2(url.trim(), org, bucket, token);
            } else if (database != null) {
                target =
                        InfluxDbTarget.v1(
                                url.trim(), database, retentionPolicy, username, password);
            } else {
                throw new IllegalArgumentException(
                        "sink.influxdb.bucket (v2 API, or INFLUXDB_BUCKET) or sink.influxdb.database"
                                + " (v1 API) is missing: the influxdb sink needs one of them");
            }
            atLeastOne(InfluxDbSinkOptions.BATCH_SIZE.key(), batchSize);
            atLeastOne(InfluxDbSinkOptions.MAX_IN_FLIGHT.key(), maxInFlight);
            atLeastOne(InfluxDbSinkOptions.MAX_BUFFERED.key(), maxBuffered);
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
                    maxInFlight,
                    maxBuffered,
                    Math.max(1, flushInterval.toMillis()));
        }

        private static void atLeastOne(String key, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(
                        key + "=" + value + " is not allowed: use 1 or more");
            }
        }
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
