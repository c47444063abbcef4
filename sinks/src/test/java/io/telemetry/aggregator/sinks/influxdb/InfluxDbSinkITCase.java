package io.telemetry.aggregator.sinks.influxdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.telemetry.aggregator.operators.WindowAggregate;
import io.telemetry.aggregator.services.Await;
import io.telemetry.aggregator.services.InfluxDbServer;
import io.telemetry.aggregator.services.QuestDbServer;
import io.telemetry.aggregator.sinks.SinkTestData;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The InfluxDB output against real servers: InfluxDB 1.6 through the v1 API, and QuestDB through
 * the v2 write API that InfluxDB 2.x and 3.x clients use.
 */
class InfluxDbSinkITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    /** One cluster for the class, whose reporter keeps the writers' metrics after the jobs end. */
    @RegisterExtension
    static final MiniClusterExtension FLINK = SinkTestData.clusterWithReporter(REPORTER);

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir static Path dir;
    private static InfluxDbServer influx;
    private static QuestDbServer questDb;

    /** Everything line protocol can carry: spaces, commas, '=', quotes, backslashes, non-ASCII. */
    static final WindowAggregate AWKWARD =
            new WindowAggregate(
                    "cpu load,\"x\"=1 C:\\temp ü✓",
                    "dev 1,=\"q\"",
                    "{\"a b,c=d\":\"e,f=g \\\"h\\\" C:\\\\dir ñ\",\"z\":\"日本\"}",
                    "p99",
                    SinkTestData.T0,
                    SinkTestData.T0 + 60_000,
                    1.5,
                    3,
                    0);

    @BeforeAll
    static void start() throws Exception {
        influx = InfluxDbServer.start(dir.resolve("influxdb"));
        questDb = QuestDbServer.start(dir.resolve("questdb"));
    }

    @AfterAll
    static void stop() {
        influx.close();
        questDb.close();
    }

    private static Configuration v1(String database) {
        Configuration config = new Configuration();
        config.set(InfluxDbSinkOptions.URL, influx.url());
        config.set(InfluxDbSinkOptions.DATABASE, database);
        return config;
    }

    private static List<String> points(String database) throws Exception {
        return influx.points(database);
    }

    @Test
    void v1WritesOnePointPerSeriesAndWindowWithExactNames() throws Exception {
        influx.query(null, "CREATE DATABASE telemetry");
        SinkTestData.write(
                InfluxDbSink.from(v1("telemetry")),
                List.of(SinkTestData.PLAIN, AWKWARD, SinkTestData.PLAIN_AGAIN));

        assertThat(points("telemetry"))
                .containsExactlyInAnyOrder(
                        "cpu load,\"x\"=1 C:\\temp ü✓ {a b,c=d=e,f=g \"h\" C:\\dir ñ, function=p99, source=dev 1,=\"q\", z=日本} 1.5 x3 @"
                                + SinkTestData.T0,
                        "temperature {function=avg, hostname=worker-1, site=lab, source=gpu-001} 75.25 x13 @"
                                + SinkTestData.T0);
    }

    @Test
    void v1LineBreaksAreWrittenOutAndEmptyTagsLeftOut() throws Exception {
        influx.query(null, "CREATE DATABASE breaks");
        WindowAggregate a =
                new WindowAggregate(
                        "m",
                        "s",
                        "{\"empty\":\"\",\"nl\":\"a\\nb\"}",
                        "sum",
                        SinkTestData.T0,
                        SinkTestData.T0 + 60_000,
                        2,
                        2,
                        0);
        SinkTestData.write(InfluxDbSink.from(v1("breaks")), List.of(a));

        assertThat(points("breaks"))
                .containsExactly("m {function=sum, nl=a\\nb, source=s} 2 x2 @" + SinkTestData.T0);
    }

    @Test
    void v1ServerErrorsFailTheJobWithTheServersMessage() {
        assertThatThrownBy(
                        () ->
                                SinkTestData.write(
                                        InfluxDbSink.from(v1("nosuchdb")),
                                        List.of(SinkTestData.PLAIN)))
                .satisfies(
                        e ->
                                assertThat(
                                                ExceptionUtils.findThrowableWithMessage(
                                                                e, "answered 404")
                                                        .map(Throwable::getMessage))
                                        .hasValue(
                                                "InfluxDB at "
                                                        + influx.url()
                                                        + " database nosuchdb answered 404:"
                                                        + " {\"error\":\"database not found: \\\"nosuchdb\\\"\"}"));
    }

    @Test
    void v1RejectedPointsAreCountedNotRetried() throws Exception {
        influx.query(null, "CREATE DATABASE conflict");
        // "count" already holds floats: InfluxDB refuses the integer field with a 400.
        long earlier = SinkTestData.T0 - 1_000; // the same shard: field types are checked per shard
        influx.write(
                "conflict",
                "temperature,function=avg,hostname=worker-1,site=lab,source=gpu-001 count=1.5 "
                        + earlier);
        JobExecutionResult job =
                SinkTestData.write(
                        InfluxDbSink.from(v1("conflict")),
                        List.of(SinkTestData.PLAIN),
                        new Configuration());

        assertThat(points("conflict"))
                .containsExactly(
                        "temperature {function=avg, hostname=worker-1, site=lab, source=gpu-001} null x1.5 @"
                                + earlier);
        assertThat(SinkTestData.counter(REPORTER, job, "sink_rejected_points")).isEqualTo(1);
        assertThat(SinkTestData.counter(REPORTER, job, "sink_errors")).isEqualTo(1);
        assertThat(SinkTestData.counter(REPORTER, job, "sink_retries")).isZero();
    }

    @Test
    void v2WriteApiThroughQuestDb() throws Exception {
        // QuestDB keeps every row unless told which columns identify one, as InfluxDB does.
        questDb.exec(
                "CREATE TABLE temperature (hostname SYMBOL, site SYMBOL, source SYMBOL, function SYMBOL,"
                        + " value DOUBLE, count LONG, timestamp TIMESTAMP) TIMESTAMP(timestamp) PARTITION BY DAY WAL"
                        + " DEDUP UPSERT KEYS(timestamp, hostname, site, source, function)");
        WindowAggregate awkwardValues =
                new WindowAggregate(
                        "temperature",
                        "dev 1,=\"q\" ü",
                        "{\"hostname\":\"h a,b=c\\\\d\",\"site\":\"日本\"}",
                        "max",
                        SinkTestData.T0,
                        SinkTestData.T0 + 60_000,
                        -4.5,
                        2,
                        0);
        Configuration config = new Configuration();
        config.set(InfluxDbSinkOptions.URL, questDb.url());
        config.set(InfluxDbSinkOptions.BUCKET, "telemetry");
        config.set(InfluxDbSinkOptions.ORG, "lab");
        config.set(InfluxDbSinkOptions.TOKEN, "secret-token");
        SinkTestData.write(
                InfluxDbSink.from(config),
                List.of(SinkTestData.PLAIN, awkwardValues, SinkTestData.PLAIN_AGAIN));

        String sql =
                "SELECT hostname, site, source, function, value, count, timestamp FROM temperature ORDER BY function";
        List<String> expected =
                List.of(
                        "worker-1 | lab | gpu-001 | avg | 75.25 | 13 | 2026-11-23T10:30:00.000000Z",
                        "h a,b=c\\d | 日本 | dev 1,=\"q\" ü | max | -4.5 | 2 | 2026-11-23T10:30:00.000000Z");
        // QuestDB shows rows a moment after the write: ask until they are all there.
        Await.until(
                () -> questDbRows(sql).size() >= expected.size(),
                Duration.ofSeconds(30),
                () -> questDbRows(sql).toString());
        assertThat(questDbRows(sql)).containsExactlyElementsOf(expected);
    }

    private static List<String> questDbRows(String sql) {
        try {
            List<String> rows = new ArrayList<>();
            for (JsonNode row : JSON.readTree(questDb.exec(sql)).path("dataset")) {
                List<String> cells = new ArrayList<>();
                for (Iterator<JsonNode> it = row.elements(); it.hasNext(); ) {
                    cells.add(it.next().asText());
                }
                rows.add(String.join(" | ", cells));
            }
            return rows;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void settingsAreCheckedAtStart() {
        assertThatThrownBy(() -> InfluxDbSink.from(new Configuration()))
                .hasMessage(
                        "sink.influxdb.url is missing: the influxdb sink needs a URL, e.g. http://influxdb:8086 (or set INFLUXDB_URL)");
        Configuration neither = new Configuration();
        neither.set(InfluxDbSinkOptions.URL, "http://influxdb:8086");
        assertThatThrownBy(() -> InfluxDbSink.from(neither))
                .hasMessage(
                        "sink.influxdb.bucket (v2 API, or INFLUXDB_BUCKET) or sink.influxdb.database (v1 API) is missing: the influxdb sink needs one of them");
        Configuration noToken = new Configuration();
        noToken.set(InfluxDbSinkOptions.URL, "http://influxdb:8086");
        noToken.set(InfluxDbSinkOptions.BUCKET, "b");
        assertThatThrownBy(() -> InfluxDbSink.from(noToken))
                .hasMessage(
                        "sink.influxdb.token is missing: the v2 API (sink.influxdb.bucket) needs a token (or set INFLUXDB_TOKEN)");
        Configuration badUrl = new Configuration();
        badUrl.set(InfluxDbSinkOptions.URL, "influxdb:8086");
        badUrl.set(InfluxDbSinkOptions.DATABASE, "d");
        assertThatThrownBy(() -> InfluxDbSink.from(badUrl))
                .hasMessage(
                        "sink.influxdb.url=influxdb:8086 is not allowed: use an http:// or https:// URL, e.g. http://influxdb:8086");
    }
}
