package io.telemetry.aggregator.sinks.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PostgresConnectionTest {

    @Test
    void libpqUriBecomesJdbcUrlWithCredentials() {
        PostgresConnection c =
                PostgresConnection.parse(
                        "postgresql://app:p%40ss%3Aword@db.example:6432/metrics?sslmode=require",
                        null, null);
        assertThat(c.jdbcUrl())
                .isEqualTo("jdbc:postgresql://db.example:6432/metrics?sslmode=require");
        assertThat(c.user()).isEqualTo("app");
        assertThat(c.password()).isEqualTo("p@ss:word");
        assertThat(c.toString())
                .doesNotContain("p@ss")
                .isEqualTo("jdbc:postgresql://db.example:6432/metrics?sslmode=require as app");
    }

    @Test
    void defaultPortAndJdbcUrlsAsTheyAre() {
        assertThat(PostgresConnection.parse("postgres://u@h/d", null, "pw").jdbcUrl())
                .isEqualTo("jdbc:postgresql://h:5432/d");
        PostgresConnection jdbc = PostgresConnection.parse("jdbc:postgresql://h:5432/d", "u", "pw");
        assertThat(jdbc.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/d");
        assertThat(jdbc.user()).isEqualTo("u");
    }

    @Test
    void badStringsNameTheSettingAndHideThePassword() {
        assertThatThrownBy(() -> PostgresConnection.parse("mysql://u:secret@h/d", null, null))
                .hasMessage(
                        "sink.postgres.connection is not allowed: 'mysql://u:***@h/d' is neither a JDBC URL"
                                + " (jdbc:postgresql://host:5432/db) nor a libpq URI (postgresql://user:password@host:5432/db)");
        assertThatThrownBy(() -> PostgresConnection.parse("postgresql://u:secret@h", null, null))
                .hasMessage(
                        "sink.postgres.connection is not allowed: 'postgresql://u:***@h' needs a host and a database,"
                                + " e.g. postgresql://user:password@host:5432/db");
        assertThatThrownBy(() -> PostgresConnection.parse(" ", null, null))
                .hasMessageStartingWith("sink.postgres.connection is missing");
    }
}
