package io.telemetry.aggregator.sinks.kafka;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;

/** Settings of the Kafka outputs. */
public final class KafkaSinkOptions {

    public static final ConfigOption<String> BOOTSTRAP_SERVERS =
            ConfigOptions.key("sink.kafka.bootstrap-servers")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Kafka brokers, host:port[,host:port]. Required with the kafka sink."
                                    + " Seed variable: KAFKA_BOOTSTRAP_SERVERS.");

    public static final ConfigOption<String> TOPIC =
            ConfigOptions.key("sink.kafka.topic")
                    .stringType()
                    .defaultValue("telemetry-aggregates")
                    .withDescription("Topic of the aggregates. Seed variable: KAFKA_TOPIC.");

    public static final ConfigOption<String> DEAD_LETTER_TOPIC =
            ConfigOptions.key("sink.kafka.dead-letter-topic")
                    .stringType()
                    .defaultValue("telemetry-deadletter")
                    .withDescription("Topic of the dead letters.");

    public static final ConfigOption<DeliveryGuarantee> DELIVERY_GUARANTEE =
            ConfigOptions.key("sink.kafka.delivery-guarantee")
                    .enumType(DeliveryGuarantee.class)
                    .defaultValue(DeliveryGuarantee.EXACTLY_ONCE)
                    .withDescription(
                            "exactly-once: records are written in Kafka transactions committed at"
                                    + " each checkpoint, so read_committed consumers see every"
                                    + " aggregate once, a checkpoint interval late. at-least-once:"
                                    + " records are visible at once and may repeat after a failure.");

    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX =
            ConfigOptions.key("sink.kafka.transactional-id-prefix")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Prefix of the sink's transactional ids; must differ between jobs"
                                    + " writing to one cluster. Default: the job name (pipeline.name,"
                                    + " else telemetry-aggregator) and the topic.");

    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT =
            ConfigOptions.key("sink.kafka.transaction-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(15))
                    .withDescription(
                            "transaction.timeout.ms of the exactly-once producers. Must be longer"
                                    + " than the checkpoint interval and at most the brokers'"
                                    + " transaction.max.timeout.ms (15 min unless changed); both are"
                                    + " checked at start.");

    public static final ConfigOption<Boolean> CREATE_TOPICS =
            ConfigOptions.key("sink.kafka.create-topics")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription("Create missing topics at start.");

    public static final ConfigOption<Integer> TOPIC_PARTITIONS =
            ConfigOptions.key("sink.kafka.topic-partitions")
                    .intType()
                    .defaultValue(3)
                    .withDescription("Partitions of topics created at start.");

    public static final ConfigOption<Integer> TOPIC_REPLICATION =
            ConfigOptions.key("sink.kafka.topic-replication")
                    .intType()
                    .defaultValue(-1)
                    .withDescription(
                            "Replication factor of topics created at start; -1 takes the brokers'"
                                    + " default.replication.factor.");

    /**
     * Kafka client settings passed through to the producers and the admin client, e.g. {@code
     * sink.kafka.properties.security.protocol: SASL_SSL}, {@code
     * sink.kafka.properties.sasl.jaas.config: ...}, {@code
     * sink.kafka.properties.ssl.truststore.location: /etc/kafka/truststore.jks}.
     */
    public static final String PROPERTIES_PREFIX = "sink.kafka.properties.";

    private KafkaSinkOptions() {}
}
