package io.telemetry.aggregator.sinks.kafka;

import io.telemetry.aggregator.operators.DeadLetter;
import io.telemetry.aggregator.operators.WindowAggregate;
import io.telemetry.aggregator.sinks.OutputJson;
import java.nio.charset.StandardCharsets;
import javax.annotation.Nullable;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Kafka records of the contract: aggregates keyed by their series key ({@code
 * metric|source|tags|function}, so one series stays in one partition, in order), dead letters
 * unkeyed; values are the contract's JSON. The record timestamp is left to the producer (the write
 * time): aggregates of replayed old data would otherwise fall behind the topic's retention at once;
 * the event time is in the value.
 */
public final class KafkaJsonSerializer<T> implements KafkaRecordSerializationSchema<T> {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final boolean aggregates;

    private KafkaJsonSerializer(String topic, boolean aggregates) {
        this.topic = topic;
        this.aggregates = aggregates;
    }

    public static KafkaJsonSerializer<WindowAggregate> aggregates(String topic) {
        return new KafkaJsonSerializer<>(topic, true);
    }

    public static KafkaJsonSerializer<DeadLetter> deadLetters(String topic) {
        return new KafkaJsonSerializer<>(topic, false);
    }

    @Nullable
    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            T element, KafkaSinkContext context, Long timestamp) {
        if (aggregates) {
            WindowAggregate a = (WindowAggregate) element;
            return new ProducerRecord<>(
                    topic,
                    a.seriesKey().getBytes(StandardCharsets.UTF_8),
                    OutputJson.aggregate(a).getBytes(StandardCharsets.UTF_8));
        }
        return new ProducerRecord<>(
                topic,
                null,
                OutputJson.deadLetter((DeadLetter) element).getBytes(StandardCharsets.UTF_8));
    }
}
