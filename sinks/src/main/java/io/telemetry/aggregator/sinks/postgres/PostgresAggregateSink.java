package io.telemetry.aggregator.sinks.postgres;

import static org.apache.flink.util.Preconditions.checkNotNull;

import io.telemetry.aggregator.operators.WindowAggregate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL output: Flink's JDBC sink writing batched upserts ({@code INSERT … ON CONFLICT …
 * DO UPDATE}) into the contract's table, so that a window emitted again, or replayed after a
 * recovery, updates its row instead of adding one. At-least-once delivery plus the upsert makes
 * every window one row with its latest result.
 */
public final class PostgresAggregateSink {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresAggregateSink.class);

    /** The contract's columns and their types as information_schema names them. */
    static final Map<String, String> COLUMNS = new LinkedHashMap<>();

    static {
        COLUMNS.put("metric", "text");
        COLUMNS.put("source", "text");
        COLUMNS.put("tags", "jsonb");
        COLUMNS.put("function", "text");
        COLUMNS.put("window_start", "timestamp with time zone");
        COLUMNS.put("window_end", "timestamp with time zone");
        COLUMNS.put("value", "double precision");
        COLUMNS.put("count", "bigint");
    }

    private static final List<String> KEY =
            List.of("function", "metric", "source", "tags", "window_start");

    private final PostgresConnection connection;
    private final String table;
    private final int batchSize;
    private final Duration batchInterval;
    private final int maxRetries;
    private final Duration reconnectTimeout;

    private PostgresAggregateSink(
            PostgresConnection connection,
            String table,
            int batchSize,
            Duration batchInterval,
            int maxRetries,
            Duration reconnectTimeout) {
        this.connection = connection;
        this.table = table;
        this.batchSize = batchSize;
        this.batchInterval = batchInterval;
        this.maxRetries = maxRetries;
        this.reconnectTimeout = reconnectTimeout;
    }

    /** A builder of the sink; {@link Builder#build()} checks the settings. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads and checks the settings.
     *
     * @throws IllegalArgumentException one line naming the setting and what is allowed
     */
    public static PostgresAggregateSink from(Configuration config) {
        return builder()
                .setConnection(config.get(PostgresSinkOptions.CONNECTION))
                .setUser(config.get(PostgresSinkOptions.USER))
                .setPassword(config.get(PostgresSinkOptions.PASSWORD))
                .setTable(config.get(PostgresSinkOptions.TABLE))
                .setBatchSize(config.get(PostgresSinkOptions.BATCH_SIZE))
                .setBatchInterval(config.get(PostgresSinkOptions.BATCH_INTERVAL))
                .setMaxRetries(config.get(PostgresSinkOptions.MAX_RETRIES))
                .setReconnectTimeout(config.get(PostgresSinkOptions.RECONNECT_TIMEOUT))
                .build();
    }

    /**
     * Builds a {@link PostgresAggregateSink}: a connection string (a JDBC URL or a libpq URI), the
     * rest as the {@code sink.postgres.*} defaults unless set.
     *
     * <pre>{@code
     * PostgresAggregateSink sink = PostgresAggregateSink.builder()
     *         .setConnection("postgresql://telemetry@db:5432/telemetry")
     *         .setPassword(password)
     *         .build();
     * }</pre>
     */
    public static final class Builder {

        private String connection;
        private String user;
        private String password;
        private String table = PostgresSinkOptions.TABLE.defaultValue();
        private int batchSize = PostgresSinkOptions.BATCH_SIZE.defaultValue();
        private Duration batchInterval = PostgresSinkOptions.BATCH_INTERVAL.defaultValue();
        private int maxRetries = PostgresSinkOptions.MAX_RETRIES.defaultValue();
        private Duration reconnectTimeout = PostgresSinkOptions.RECONNECT_TIMEOUT.defaultValue();

        private Builder() {}

        /** A JDBC URL or a libpq URI ({@code postgresql://user:password@host:5432/db}). */
        public Builder setConnection(String connection) {
            this.connection = connection;
            return this;
        }

        public Builder setUser(String user) {
            this.user = user;
            return this;
        }

        public Builder setPassword(String password) {
            this.password = password;
            return this;
        }

        public Builder setTable(String table) {
            this.table = checkNotNull(table, "table");
            return this;
        }

        public Builder setBatchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        public Builder setBatchInterval(Duration batchInterval) {
            this.batchInterval = checkNotNull(batchInterval, "batchInterval");
            return this;
        }

        public Builder setMaxRetries(int maxRetries) {
            this.maxRetries = maxRetries;
            return this;
        }

        public Builder setReconnectTimeout(Duration reconnectTimeout) {
            this.reconnectTimeout = checkNotNull(reconnectTimeout, "reconnectTimeout");
            return this;
        }

        /**
         * Checks the settings and builds the sink.
         *
         * @throws IllegalArgumentException one line naming the setting and what is allowed (never
         *     the password)
         */
        public PostgresAggregateSink build() {
            PostgresConnection parsed = PostgresConnection.parse(connection, user, password);
            if (!table.matches("([a-zA-Z_][a-zA-Z0-9_]*\\.)?[a-zA-Z_][a-zA-Z0-9_]*")) {
                throw new IllegalArgumentException(
                        PostgresSinkOptions.TABLE.key()
                                + "="
                                + table
                                + " is not allowed: use [schema.]name with letters, digits and '_'");
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException(
                        PostgresSinkOptions.BATCH_SIZE.key()
                                + "="
                                + batchSize
                                + " is not allowed: use 1 or more");
            }
            if (maxRetries < 0) {
                throw new IllegalArgumentException(
                        PostgresSinkOptions.MAX_RETRIES.key()
                                + "="
                                + maxRetries
                                + " is not allowed: use 0 or more");
            }
            return new PostgresAggregateSink(
                    parsed, table, batchSize, batchInterval, maxRetries, reconnectTimeout);
        }
    }

    /**
     * Connects once, creates the table with its unique key when missing, and checks that an
     * existing table has the contract's columns and key.
     *
     * @throws IllegalStateException one line saying what is wrong (never the password)
     */
    public void prepare() {
        Properties props = new Properties();
        if (connection.user() != null) {
            props.setProperty("user", connection.user());
        }
        if (connection.password() != null) {
            props.setProperty("password", connection.password());
        }
        props.setProperty("connectTimeout", "10");
        // Through the driver itself, not DriverManager: main() runs in the JobManager, each job in
        // its own class loader, and DriverManager hands a driver only to the class loader that
        // registered it, so the second job submitted to a session cluster would find none.
        try (Connection c = new org.postgresql.Driver().connect(connection.jdbcUrl(), props)) {
            try (Statement s = c.createStatement()) {
                s.execute(createTableSql());
            }
            checkColumns(c);
            checkKey(c);
            LOG.info("PostgreSQL table {} at {} is ready", table, connection.where());
        } catch (SQLException e) {
            throw new IllegalStateException(PostgresErrors.describe(e, connection.where()), e);
        }
    }

    String createTableSql() {
        return "CREATE TABLE IF NOT EXISTS "
                + table
                + " (metric text NOT NULL, source text NOT NULL, tags jsonb NOT NULL,"
                + " function text NOT NULL, window_start timestamptz NOT NULL,"
                + " window_end timestamptz NOT NULL, value double precision, count bigint NOT NULL,"
                + " UNIQUE (metric, source, tags, function, window_start))";
    }

    /** The upsert into this sink's table. */
    String upsertSql() {
        return upsertSql(table);
    }

    static String upsertSql(String table) {
        return "INSERT INTO "
                + table
                + " (metric, source, tags, function, window_start, window_end, value, count)"
                + " VALUES (?, ?, ?::jsonb, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (metric, source, tags, function, window_start) DO UPDATE SET"
                + " window_end = EXCLUDED.window_end, value = EXCLUDED.value, count = EXCLUDED.count";
    }

    private String schemaOf() {
        int dot = table.indexOf('.');
        return dot < 0 ? null : table.substring(0, dot);
    }

    private String nameOf() {
        int dot = table.indexOf('.');
        return (dot < 0 ? table : table.substring(dot + 1)).toLowerCase();
    }

    private void checkColumns(Connection c) throws SQLException {
        Map<String, String> found = new LinkedHashMap<>();
        String sql =
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?"
                        + (schemaOf() == null
                                ? " AND table_schema = current_schema()"
                                : " AND table_schema = ?");
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, nameOf());
            if (schemaOf() != null) {
                ps.setString(2, schemaOf().toLowerCase());
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> column : COLUMNS.entrySet()) {
            String type = found.get(column.getKey());
            if (type == null) {
                problems.add("column " + column.getKey() + " is missing");
            } else if (!type.equals(column.getValue())) {
                problems.add(
                        "column " + column.getKey() + " is " + type + ", not " + column.getValue());
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException(
                    "PostgreSQL table "
                            + table
                            + " at "
                            + connection.where()
                            + " does not match the contract: "
                            + String.join("; ", problems)
                            + ". Use another sink.postgres.table or migrate it.");
        }
    }

    private void checkKey(Connection c) throws SQLException {
        String sql =
                "SELECT array_agg(a.attname::text ORDER BY a.attname::text) FROM pg_index i"
                        + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
                        + " WHERE i.indrelid = ?::regclass AND i.indisunique GROUP BY i.indexrelid";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<String> columns = List.of((String[]) rs.getArray(1).getArray());
                    if (columns.equals(KEY)) {
                        return;
                    }
                }
            }
        }
        throw new IllegalStateException(
                "PostgreSQL table "
                        + table
                        + " at "
                        + connection.where()
                        + " has no unique key on (metric, source, tags, function, window_start),"
                        + " which the upsert needs");
    }

    /** Flink's JDBC sink writing batched upserts, reconnecting when the database goes away. */
    public JdbcSink<WindowAggregate> sink() {
        JdbcConnectionOptions.JdbcConnectionOptionsBuilder options =
                new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
                        .withUrl(connection.jdbcUrl())
                        .withDriverName("org.postgresql.Driver")
                        .withConnectionCheckTimeoutSeconds(10);
        if (connection.user() != null) {
            options.withUsername(connection.user());
        }
        if (connection.password() != null) {
            options.withPassword(connection.password());
        }
        return JdbcSink.<WindowAggregate>builder()
                .withQueryStatement(
                        upsertSql(),
                        (ps, a) -> {
                            ps.setString(1, a.metric);
                            ps.setString(2, a.source);
                            ps.setString(3, a.tags);
                            ps.setString(4, a.function);
                            ps.setObject(
                                    5,
                                    OffsetDateTime.ofInstant(
                                            Instant.ofEpochMilli(a.windowStart), ZoneOffset.UTC));
                            ps.setObject(
                                    6,
                                    OffsetDateTime.ofInstant(
                                            Instant.ofEpochMilli(a.windowEnd), ZoneOffset.UTC));
                            ps.setDouble(7, a.value);
                            ps.setLong(8, a.count);
                        })
                .withExecutionOptions(
                        JdbcExecutionOptions.builder()
                                .withBatchSize(batchSize)
                                .withBatchIntervalMs(batchInterval.toMillis())
                                .withMaxRetries(maxRetries)
                                .build())
                .buildAtLeastOnce(
                        new RetryingConnectionProvider(
                                options.build(), reconnectTimeout, connection.where()));
    }
}
