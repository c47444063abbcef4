package io.telemetry.aggregator.services;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each launcher starts a real server that answers, and stops it by its PID. */
class LocalServicesITCase {

    @Test
    void postgres(@TempDir Path dir) throws Exception {
        try (PostgresServer pg = PostgresServer.start(dir)) {
            try (Connection c = pg.connect();
                    Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT current_database(), current_user")) {
                r.next();
                assertThat(r.getString(1)).isEqualTo("telemetry");
                assertThat(r.getString(2)).isEqualTo("telemetry");
            }
        }
    }

    @Test
    void influxDbV1(@TempDir Path dir) throws Exception {
        try (InfluxDbServer influx = InfluxDbServer.start(dir)) {
            influx.query(null, "CREATE DATABASE probe");
            assertThat(influx.query(null, "SHOW DATABASES")).contains("\"probe\"");
            long pid = influx.pid();
            influx.close();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        }
    }

    @Test
    void questDb(@TempDir Path dir) throws Exception {
        try (QuestDbServer quest = QuestDbServer.start(dir)) {
            assertThat(quest.exec("SELECT 41 + 1 AS answer")).contains("[[42]]");
        }
    }

    @Test
    void kafka(@TempDir Path dir) throws Exception {
        try (KafkaServer kafka = KafkaServer.start(dir)) {
            assertThat(kafka.bootstrapServers()).startsWith("127.0.0.1:");
            long pid = kafka.pid();
            kafka.close();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        }
    }
}
