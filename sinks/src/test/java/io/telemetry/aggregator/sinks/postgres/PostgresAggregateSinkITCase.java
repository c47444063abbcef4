package io.telemetry.aggregator.sinks.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.telemetry.aggregator.services.AggregateRow;
import io.telemetry.aggregator.services.PostgresServer;
import io.telemetry.aggregator.sinks.SinkTestData;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The PostgreSQL output against a real server: exact rows, upserts, clear errors. */
class PostgresAggregateSinkITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = new MiniClusterExtension();

    @TempDir static Path dir;
    private static PostgresServer postgres;

    @BeforeAll
    static void start() throws Exception {
        postgres = PostgresServer.start(dir);
    }

    @AfterAll
    static void stop() throws Exception {
        postgres.close();
    }

    private static Configuration config(String connection, String table) {
        Configuration config = new Configuration();
        config.set(PostgresSinkOptions.CONNECTION, connection);
        config.set(PostgresSinkOptions.TABLE, table);
        return config;
    }

    @Test
    void upsertsOneRowPerSeriesAndWindowWithExactValues() throws Exception {
        PostgresAggregateSink sink =
                PostgresAggregateSink.from(config(postgres.uri(), "aggregates"));
        sink.prepare();
        sink.prepare(); // idempotent: the table exists and matches

        SinkTestData.write(sink.sink(), SinkTestData.ALL);

        long start = SinkTestData.T0;
        assertThat(postgres.aggregateRows("aggregates"))
                .containsExactly(
                        new AggregateRow(
                                "cpu load,\"x\"=1 \\ ü✓",
                                "dev 1,=\\\"",
                                "{\"z\": \"日本\", \"a b,c=d\": \"e,f=g \\\"h\\\" \\\\ i\\nj ñ\"}",
                                "p99",
                                start,
                                start + 60_000,
                                1.5,
                                3),
                        new AggregateRow(
                                "temperature",
                                "gpu-001",
                                "{\"site\": \"lab\", \"hostname\": \"worker-1\"}",
                                "avg",
                                start,
                                start + 60_000,
                                75.25,
                                13));

        // A replay after a recovery writes the same rows again: still one row each.
        SinkTestData.write(sink.sink(), SinkTestData.ALL);
        assertThat(postgres.aggregateRows("aggregates")).hasSize(2);
        try (Connection c = postgres.connect();
                Statement s = c.createStatement();
                ResultSet r =
                        s.executeQuery(
                                "SELECT tags->>'a b,c=d' FROM aggregates WHERE function = 'p99'")) {
            r.next();
            assertThat(r.getString(1)).isEqualTo("e,f=g \"h\" \\ i\nj ñ");
        }
    }

    @Test
    void jdbcUrlWithSeparateCredentials() throws Exception {
        Configuration config = config(postgres.jdbcUrl(), "public.aggregates_jdbc");
        config.set(PostgresSinkOptions.USER, PostgresServer.USER);
        config.set(PostgresSinkOptions.PASSWORD, PostgresServer.PASSWORD);
        PostgresAggregateSink sink = PostgresAggregateSink.from(config);
        sink.prepare();
        SinkTestData.write(sink.sink(), List.of(SinkTestData.PLAIN));
        assertThat(postgres.aggregateRows("public.aggregates_jdbc")).hasSize(1);
    }

    @Test
    void clearErrorsForWrongPasswordMissingDatabaseAndForeignTable() throws Exception {
        String port = String.valueOf(postgres.port());
        assertThatThrownBy(
                        () ->
                                PostgresAggregateSink.from(
                                                config(
                                                        "postgresql://telemetry:wrong@127.0.0.1:"
                                                                + port
                                                                + "/telemetry",
                                                        "t"))
                                        .prepare())
                .hasMessageStartingWith(
                        "PostgreSQL at 127.0.0.1:" + port + "/telemetry rejected the password: ")
                .message()
                .doesNotContain("wrong");
        assertThatThrownBy(
                        () ->
                                PostgresAggregateSink.from(
                                                config(
                                                        "postgresql://telemetry:telemetry-secret@127.0.0.1:"
                                                                + port
                                                                + "/nosuchdb",
                                                        "t"))
                                        .prepare())
                .hasMessage(
                        "PostgreSQL at 127.0.0.1:"
                                + port
                                + "/nosuchdb: FATAL: database \"nosuchdb\" does not exist");

        try (Connection c = postgres.connect();
                Statement s = c.createStatement()) {
            s.execute(
                    "CREATE TABLE foreign_shape (metric text, source text, tags text, function text, window_start timestamp)");
        }
        assertThatThrownBy(
                        () ->
                                PostgresAggregateSink.from(config(postgres.uri(), "foreign_shape"))
                                        .prepare())
                .hasMessage(
                        "PostgreSQL table foreign_shape at 127.0.0.1:"
                                + port
                                + "/telemetry does not match the contract:"
                                + " column tags is text, not jsonb; column window_start is timestamp without time zone,"
                                + " not timestamp with time zone; column window_end is missing; column value is missing;"
                                + " column count is missing. Use another sink.postgres.table or migrate it.");
    }
}
