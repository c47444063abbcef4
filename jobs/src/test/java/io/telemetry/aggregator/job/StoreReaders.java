package io.telemetry.aggregator.job;

import io.telemetry.aggregator.services.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads back what the job wrote: Kafka (read_committed), PostgreSQL rows, InfluxDB points. */
final class StoreReaders implements AutoCloseable {

    private final KafkaConsumer<String, String> consumer;
    private final List<String> kafkaValues = new ArrayList<>();

    StoreReaders(String bootstrapServers, String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + System.nanoTime());
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        consumer.subscribe(List.of(topic));
    }

    /** Every committed value so far, in partition order, as "key => value". */
    List<String> kafka() {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
            kafkaValues.add(r.key() == null ? r.value() : r.key() + " => " + r.value());
        }
        return new ArrayList<>(kafkaValues);
    }

    static List<String> postgres(PostgresServer pg, String table) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = pg.connect();
                Statement s = c.createStatement();
                ResultSet r =
                        s.executeQuery(
                                "SELECT metric, source, tags::text, function,"
                                        + " (extract(epoch from window_start) * 1000)::bigint, value, count FROM "
                                        + table
                                        + " ORDER BY 5, 1, 2, 4")) {
            while (r.next()) {
                rows.add(
                        r.getString(1)
                                + " "
                                + r.getString(2)
                                + " "
                                + r.getString(3)
                                + " "
                                + r.getString(4)
                                + " @"
                                + r.getLong(5)
                                + " = "
                                + r.getDouble(6)
                                + " x"
                                + r.getLong(7));
            }
        } catch (java.sql.SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                return rows; // table not created yet
            }
            throw e;
        }
        return rows;
    }

    static void await(Supplier<Boolean> condition, Duration timeout, Supplier<String> state)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out; last state: " + state.get());
            }
            Thread.sleep(100);
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
