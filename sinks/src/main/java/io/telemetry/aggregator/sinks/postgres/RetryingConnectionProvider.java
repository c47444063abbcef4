package io.telemetry.aggregator.sinks.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.datasource.connections.JdbcConnectionProvider;
import org.apache.flink.connector.jdbc.datasource.connections.SimpleJdbcConnectionProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects like Flink's simple provider, but rides out an unreachable database: it keeps trying,
 * with growing pauses, for up to the reconnect timeout, so that a database restart holds the job
 * back instead of failing it (a failed job loses the datagrams received since its last checkpoint).
 * Wrong credentials and missing databases fail at once.
 */
final class RetryingConnectionProvider implements JdbcConnectionProvider {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RetryingConnectionProvider.class);

    private final SimpleJdbcConnectionProvider delegate;
    private final long reconnectTimeoutMillis;
    private final String where;

    RetryingConnectionProvider(
            JdbcConnectionOptions options, Duration reconnectTimeout, String where) {
        this.delegate = new SimpleJdbcConnectionProvider(options);
        this.reconnectTimeoutMillis = reconnectTimeout.toMillis();
        this.where = where;
    }

    @Override
    public Connection getConnection() {
        return delegate.getConnection();
    }

    @Override
    public Properties getProperties() {
        return delegate.getProperties();
    }

    @Override
    public boolean isConnectionValid() throws SQLException {
        return delegate.isConnectionValid();
    }

    @Override
    public Connection getOrEstablishConnection() throws SQLException, ClassNotFoundException {
        return withRetries(false);
    }

    @Override
    public void closeConnection() {
        delegate.closeConnection();
    }

    @Override
    public Connection reestablishConnection() throws SQLException, ClassNotFoundException {
        return withRetries(true);
    }

    private Connection withRetries(boolean reestablish)
            throws SQLException, ClassNotFoundException {
        long deadline = System.currentTimeMillis() + reconnectTimeoutMillis;
        long pause = 100;
        int attempt = 0;
        while (true) {
            try {
                Connection c =
                        reestablish && attempt == 0
                                ? delegate.reestablishConnection()
                                : delegate.getOrEstablishConnection();
                if (attempt > 0) {
                    LOG.info(
                            "Reconnected to PostgreSQL at {} after {} attempts",
                            where,
                            attempt + 1);
                }
                return c;
            } catch (SQLException e) {
                if (PostgresErrors.isPermanent(e)
                        || System.currentTimeMillis() + pause > deadline) {
                    throw new SQLException(PostgresErrors.describe(e, where), e.getSQLState(), e);
                }
                if (attempt == 0) {
                    LOG.warn(
                            "PostgreSQL at {} is unreachable ({}); retrying for up to {} s",
                            where,
                            e.getMessage(),
                            reconnectTimeoutMillis / 1000);
                }
                delegate.closeConnection();
                attempt++;
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("Interrupted while reconnecting to " + where, e);
                }
                pause = Math.min(pause * 2, 5_000);
            }
        }
    }

    @Override
    public void close() throws Exception {
        delegate.close();
    }
}
