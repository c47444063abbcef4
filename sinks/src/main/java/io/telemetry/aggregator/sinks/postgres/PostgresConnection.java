package io.telemetry.aggregator.sinks.postgres;

import io.telemetry.aggregator.sinks.Redaction;
import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Where the PostgreSQL output connects: a JDBC URL plus user and password, read from a JDBC URL or
 * a libpq URI ({@code postgresql://user:password@host:5432/db?sslmode=require}). The password is
 * never part of {@link #toString()} or of an error message.
 */
public final class PostgresConnection implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String jdbcUrl;
    private final String user;
    private final String password;

    PostgresConnection(String jdbcUrl, String user, String password) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
    }

    /**
     * Parses a connection string; the separate user and password settings fill what it lacks.
     *
     * @throws IllegalArgumentException naming the setting, never echoing a password
     */
    public static PostgresConnection parse(String text, String user, String password) {
        String setting = PostgresSinkOptions.CONNECTION.key();
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(
                    setting
                            + " is missing: the postgres sink needs a database, e.g."
                            + " postgresql://user:password@host:5432/db (or set POSTGRES_CONNECTION_STRING)");
        }
        String s = text.trim();
        if (s.startsWith("jdbc:postgresql://")) {
            return new PostgresConnection(s, user, password);
        }
        if (!s.startsWith("postgresql://") && !s.startsWith("postgres://")) {
            throw new IllegalArgumentException(
                    setting
                            + " is not allowed: '"
                            + Redaction.text(s)
                            + "' is neither a JDBC URL (jdbc:postgresql://host:5432/db) nor a libpq"
                            + " URI (postgresql://user:password@host:5432/db)");
        }
        URI uri;
        try {
            uri = new URI(s);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(
                    setting + " is not allowed: '" + Redaction.text(s) + "' is not a valid URI");
        }
        String host = uri.getHost();
        String database = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        if (host == null || database.isEmpty()) {
            throw new IllegalArgumentException(
                    setting
                            + " is not allowed: '"
                            + Redaction.text(s)
                            + "' needs a host and a database, e.g. postgresql://user:password@host:5432/db");
        }
        String uriUser = user;
        String uriPassword = password;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            uriUser = decode(parts[0]);
            if (parts.length == 2) {
                uriPassword = decode(parts[1]);
            }
        }
        StringBuilder url =
                new StringBuilder("jdbc:postgresql://")
                        .append(
                                host.contains(":") && !host.startsWith("[")
                                        ? "[" + host + "]"
                                        : host)
                        .append(':')
                        .append(uri.getPort() == -1 ? 5432 : uri.getPort())
                        .append('/')
                        .append(database);
        if (uri.getRawQuery() != null) {
            url.append('?').append(uri.getRawQuery());
        }
        return new PostgresConnection(url.toString(), uriUser, uriPassword);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String user() {
        return user;
    }

    String password() {
        return password;
    }

    /** Host, port and database, for messages. */
    public String where() {
        String rest = jdbcUrl.substring("jdbc:postgresql://".length());
        int q = rest.indexOf('?');
        return q < 0 ? rest : rest.substring(0, q);
    }

    @Override
    public String toString() {
        return Redaction.text(jdbcUrl) + (user == null ? "" : " as " + user);
    }
}
