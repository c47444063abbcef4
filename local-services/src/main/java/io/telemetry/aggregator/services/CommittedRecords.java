package io.telemetry.aggregator.services;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What a job committed to one topic, read from its start with a {@code read_committed} consumer of
 * its own group: records of aborted or open transactions never show.
 */
public final class CommittedRecords implements AutoCloseable {

    private final KafkaConsumer<String, String> consumer;
    private final List<ConsumerRecord<String, String>> records = new ArrayList<>();

    CommittedRecords(String bootstrapServers, String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + System.nanoTime());
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        consumer.subscribe(List.of(topic));
    }

    /** Every record committed so far, in partition order (one short poll for new ones). */
    public List<ConsumerRecord<String, String>> records() {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        return new ArrayList<>(records);
    }

    /** {@link #records()} as {@code key => value} (or the value alone when it has no key). */
    public List<String> values() {
        List<String> values = new ArrayList<>();
        for (ConsumerRecord<String, String> r : records()) {
            values.add(r.key() == null ? r.value() : r.key() + " => " + r.value());
        }
        return values;
    }

    /**
     * Reads until {@code expected} records are there or the timeout passes, then one second more,
     * so that a record beyond the expected ones (a duplicate) shows too.
     */
    public List<ConsumerRecord<String, String>> await(int expected, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ConsumerRecord<String, String>> seen = records();
        while (seen.size() < expected && System.nanoTime() < deadline) {
            seen = records();
        }
        long quiet = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        while (System.nanoTime() < quiet) {
            records();
        }
        return new ArrayList<>(records);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
