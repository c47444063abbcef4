package io.telemetry.aggregator.services;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real PostgreSQL server (zonky's PostgreSQL binaries from Maven) on a free port, with a database
 * and a password-protected user for the job.
 */
public final class PostgresServer implements AutoCloseable {

    public static final String DATABASE = "telemetry";

    /** SQLSTATE of a query on a table that does not exist. */
    private static final String UNDEFINED_TABLE = "42P01";

    public static final String USER = "telemetry";
    public static final String PASSWORD = "telemetry-secret";

    private final EmbeddedPostgres postgres;
    private final int port;

    private PostgresServer(EmbeddedPostgres postgres, int port) {
        this.postgres = postgres;
        this.port = port;
    }

    public static PostgresServer start(Path dir) throws IOException {
        try {
            return ChildProcess.onFreePorts(1, ports -> start(dir, ports[0]));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while starting PostgreSQL", e);
        }
    }

    private static PostgresServer start(Path dir, int port) throws IOException {
        Files.createDirectories(dir);
        // The job's user must give its password, as on a real server; the admin user is trusted.
        Path hba = dir.resolve("pg_hba.conf");
        Files.writeString(
                hba,
                "local all all trust\n"
                        + "host all postgres 127.0.0.1/32 trust\n"
                        + "host all postgres ::1/128 trust\n"
                        + "host all all 127.0.0.1/32 scram-sha-256\n"
                        + "host all all ::1/128 scram-sha-256\n");
        EmbeddedPostgres postgres;
        try {
            postgres =
                    EmbeddedPostgres.builder()
                            .setServerConfig("hba_file", hba.toString())
                            .setPort(port)
                            .setDataDirectory(dir.resolve("data"))
                            .setCleanDataDirectory(true)
                            .setOverrideWorkingDirectory(dir.resolve("work").toFile())
                            .setPGStartupWait(Duration.ofSeconds(60))
                            .start();
        } catch (RuntimeException e) {
            throw new IOException(
                    "PostgreSQL did not start on port " + port + ": " + e.getMessage(), e);
        }
        PostgresServer server = new PostgresServer(postgres, port);
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE USER " + USER + " WITH PASSWORD '" + PASSWORD + "'");
            s.execute("CREATE DATABASE " + DATABASE + " OWNER " + USER);
        } catch (SQLException e) {
            server.close();
            throw new IOException("Cannot create the telemetry database: " + e.getMessage(), e);
        }
        return server;
    }

    public int port() {
        return port;
    }

    /** {@code jdbc:postgresql://127.0.0.1:<port>/telemetry}. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    /** The libpq form: {@code postgresql://telemetry:…@127.0.0.1:<port>/telemetry}. */
    public String uri() {
        return "postgresql://" + USER + ":" + PASSWORD + "@127.0.0.1:" + port + "/" + DATABASE;
    }

    /**
     * Makes the job's database refuse every connection and drops the open ones, as a database that
     * is down does; {@link #reopen()} ends it.
     */
    public void refuseConnections() throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            s.execute("ALTER DATABASE " + DATABASE + " ALLOW_CONNECTIONS false");
            s.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '"
                            + DATABASE
                            + "'");
        }
    }

    /** Accepts connections to the job's database again. */
    public void reopen() throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            s.execute("ALTER DATABASE " + DATABASE + " ALLOW_CONNECTIONS true");
        }
    }

    /** A connection as the job's user. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), USER, PASSWORD);
    }

    /**
     * The rows of an aggregate table ordered by window start, metric, source and function; none
     * while the table does not exist yet.
     */
    public List<AggregateRow> aggregateRows(String table) throws SQLException {
        List<AggregateRow> rows = new ArrayList<>();
        try (Connection c = connect();
                Statement s = c.createStatement();
                ResultSet r =
                        s.executeQuery(
                                "SELECT metric, source, tags::text, function,"
                                        + " (extract(epoch from window_start) * 1000)::bigint,"
                                        + " (extract(epoch from window_end) * 1000)::bigint,"
                                        + " value, count FROM "
                                        + table
                                        + " ORDER BY 5, 1, 2, 4")) {
            while (r.next()) {
                rows.add(
                        new AggregateRow(
                                r.getString(1),
                                r.getString(2),
                                r.getString(3),
                                r.getString(4),
                                r.getLong(5),
                                r.getLong(6),
                                r.getDouble(7),
                                r.getLong(8)));
            }
        } catch (SQLException e) {
            if (UNDEFINED_TABLE.equals(e.getSQLState())) {
                return rows;
            }
            throw e;
        }
        return rows;
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
