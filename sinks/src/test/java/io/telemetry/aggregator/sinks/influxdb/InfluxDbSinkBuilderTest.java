package io.telemetry.aggregator.sinks.influxdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** {@link InfluxDbSink.Builder#build()} names what is missing or wrong in one line. */
class InfluxDbSinkBuilderTest {

    @Test
    void aV2SinkNeedsAUrlABucketAndAToken() {
        assertThatThrownBy(() -> InfluxDbSink.builder().setBucket("b").setToken("t").build())
                .hasMessage(
                        "sink.influxdb.url is missing: the influxdb sink needs a URL, e.g."
                                + " http://influxdb:8086 (or set INFLUXDB_URL)");
        assertThatThrownBy(
                        () -> InfluxDbSink.builder().setUrl("http://h:8086").setBucket("b").build())
                .hasMessage(
                        "sink.influxdb.token is missing: the v2 API (sink.influxdb.bucket) needs a"
                                + " token (or set INFLUXDB_TOKEN)");
        assertThat(
                        InfluxDbSink.builder()
                                .setUrl("http://h:8086")
                                .setBucket("b")
                                .setOrg("o")
                                .setToken("t")
                                .build()
                                .toString())
                .startsWith("InfluxDB ");
    }

    @Test
    void aV1SinkNeedsADatabaseAndNotABucketToo() {
        assertThatThrownBy(() -> InfluxDbSink.builder().setUrl("http://h:8086").build())
                .hasMessage(
                        "sink.influxdb.bucket (v2 API, or INFLUXDB_BUCKET) or sink.influxdb.database"
                                + " (v1 API) is missing: the influxdb sink needs one of them");
        assertThatThrownBy(
                        () ->
                                InfluxDbSink.builder()
                                        .setUrl("http://h:8086")
                                        .setDatabase("d")
                                        .setBucket("b")
                                        .setToken("t")
                                        .build())
                .hasMessageStartingWith(
                        "sink.influxdb.bucket and sink.influxdb.database are both set");
        assertThatThrownBy(() -> InfluxDbSink.builder().setUrl("ftp://h").setDatabase("d").build())
                .hasMessage(
                        "sink.influxdb.url=ftp://h is not allowed: use an http:// or https:// URL,"
                                + " e.g. http://influxdb:8086");
    }

    @Test
    void batchingIsChecked() {
        InfluxDbSink.Builder v1 = InfluxDbSink.builder().setUrl("http://h:8086").setDatabase("d");
        assertThatThrownBy(() -> v1.setMaxInFlight(0).build())
                .hasMessage("sink.influxdb.max-in-flight-requests=0 is not allowed: use 1 or more");
        assertThatThrownBy(() -> v1.setMaxInFlight(1).setBatchSize(10).setMaxBuffered(5).build())
                .hasMessage(
                        "sink.influxdb.max-buffered-points=5 is not allowed: use at least"
                                + " sink.influxdb.batch-size (10)");
        assertThatThrownBy(() -> v1.setFlushInterval(null)).hasMessage("flushInterval");
    }

    @Test
    void fromTheConfigurationIsTheBuilderWithTheSettings() {
        Configuration config = new Configuration();
        config.set(InfluxDbSinkOptions.URL, "http://h:8086");
        config.set(InfluxDbSinkOptions.DATABASE, "d");
        config.set(InfluxDbSinkOptions.FLUSH_INTERVAL, Duration.ofMillis(250));
        assertThat(InfluxDbSink.from(config).toString()).startsWith("InfluxDB ");
        config.set(InfluxDbSinkOptions.BATCH_SIZE, 10);
        config.set(InfluxDbSinkOptions.MAX_BUFFERED, 5);
        assertThatThrownBy(() -> InfluxDbSink.from(config))
                .hasMessage(
                        "sink.influxdb.max-buffered-points=5 is not allowed: use at least"
                                + " sink.influxdb.batch-size (10)");
    }
}
