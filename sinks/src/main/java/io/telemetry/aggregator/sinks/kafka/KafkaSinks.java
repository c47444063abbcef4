package io.telemetry.aggregator.sinks.kafka;

import io.telemetry.aggregator.operators.DeadLetter;
import io.telemetry.aggregator.operators.WindowAggregate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the Kafka outputs from the {@code sink.kafka.*} settings: one {@link KafkaSink} (in an
 * {@link AbortTolerantKafkaSink}) for the aggregates and one for the dead letters, exactly-once by
 * default. {@link #prepare()} checks the brokers and creates missing topics before the job starts.
 */
public final class KafkaSinks {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSinks.class);

    private final String bootstrapServers;
    private final String topic;
    private final String deadLetterTopic;
    private final DeliveryGuarantee guarantee;
    private final String transactionalIdPrefix;
    private final Duration transactionTimeout;
    private final boolean createTopics;
    private final int partitions;
    private final int replication;
    private final Properties clientProperties;

    private KafkaSinks(Configuration config) {
        this.bootstrapServers = config.get(KafkaSinkOptions.BOOTSTRAP_SERVERS);
        this.topic = config.get(KafkaSinkOptions.TOPIC);
        this.deadLetterTopic = config.get(KafkaSinkOptions.DEAD_LETTER_TOPIC);
        this.guarantee = config.get(KafkaSinkOptions.DELIVERY_GUARANTEE);
        this.transactionTimeout = config.get(KafkaSinkOptions.TRANSACTION_TIMEOUT);
        this.createTopics = config.get(KafkaSinkOptions.CREATE_TOPICS);
        this.partitions = config.get(KafkaSinkOptions.TOPIC_PARTITIONS);
        this.replication = config.get(KafkaSinkOptions.TOPIC_REPLICATION);
        this.transactionalIdPrefix =
                config.getOptional(KafkaSinkOptions.TRANSACTIONAL_ID_PREFIX)
                        .orElse(
                                config.getOptional(PipelineOptions.NAME)
                                        .orElse("telemetry-aggregator"));
        this.clientProperties = new Properties();
        for (Map.Entry<String, String> e : config.toMap().entrySet()) {
            if (e.getKey().startsWith(KafkaSinkOptions.PROPERTIES_PREFIX)) {
                clientProperties.setProperty(
                        e.getKey().substring(KafkaSinkOptions.PROPERTIES_PREFIX.length()),
                        e.getValue());
            }
        }
    }

    /**
     * Reads and checks the settings.
     *
     * @throws IllegalArgumentException one line naming the setting, its value and what is allowed
     */
    public static KafkaSinks from(Configuration config) {
        String servers = config.get(KafkaSinkOptions.BOOTSTRAP_SERVERS);
        if (servers == null || servers.isBlank()) {
            throw new IllegalArgumentException(
                    KafkaSinkOptions.BOOTSTRAP_SERVERS.key()
                            + " is missing: the kafka sink needs the brokers, e.g. kafka:9092"
                            + " (or set KAFKA_BOOTSTRAP_SERVERS)");
        }
        for (String server : servers.split(",")) {
            int colon = server.trim().lastIndexOf(':');
            if (colon <= 0 || !server.trim().substring(colon + 1).matches("[0-9]{1,5}")) {
                throw new IllegalArgumentException(
                        KafkaSinkOptions.BOOTSTRAP_SERVERS.key()
                                + "="
                                + servers
                                + " is not allowed: use host:port[,host:port]");
            }
        }
        requireName(config, KafkaSinkOptions.TOPIC.key(), config.get(KafkaSinkOptions.TOPIC));
        requireName(
                config,
                KafkaSinkOptions.DEAD_LETTER_TOPIC.key(),
                config.get(KafkaSinkOptions.DEAD_LETTER_TOPIC));
        if (config.get(KafkaSinkOptions.TOPIC_PARTITIONS) < 1) {
            throw new IllegalArgumentException(
                    KafkaSinkOptions.TOPIC_PARTITIONS.key()
                            + "="
                            + config.get(KafkaSinkOptions.TOPIC_PARTITIONS)
                            + " is not allowed: use 1 or more");
        }
        int replication = config.get(KafkaSinkOptions.TOPIC_REPLICATION);
        if (replication == 0 || replication < -1) {
            throw new IllegalArgumentException(
                    KafkaSinkOptions.TOPIC_REPLICATION.key()
                            + "="
                            + replication
                            + " is not allowed: use 1 or more, or -1 for the brokers' default");
        }
        if (config.get(KafkaSinkOptions.DELIVERY_GUARANTEE) == DeliveryGuarantee.EXACTLY_ONCE) {
            Duration timeout = config.get(KafkaSinkOptions.TRANSACTION_TIMEOUT);
            Optional<Duration> interval =
                    config.getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL);
            if (interval.isEmpty()) {
                throw new IllegalArgumentException(
                        "sink.kafka.delivery-guarantee=exactly-once needs checkpoints: set "
                                + CheckpointingOptions.CHECKPOINTING_INTERVAL.key()
                                + ", e.g. 10s");
            }
            if (timeout.compareTo(interval.get().multipliedBy(2)) < 0) {
                throw new IllegalArgumentException(
                        KafkaSinkOptions.TRANSACTION_TIMEOUT.key()
                                + "="
                                + timeout
                                + " is not allowed: a transaction stays open for a checkpoint"
                                + " interval ("
                                + interval.get()
                                + ") and until the next checkpoint completes; use at least twice"
                                + " the interval");
            }
        }
        return new KafkaSinks(config);
    }

    private static void requireName(Configuration config, String key, String topic) {
        if (topic == null || !topic.matches("[a-zA-Z0-9._-]{1,249}")) {
            throw new IllegalArgumentException(
                    key
                            + "="
                            + topic
                            + " is not allowed: Kafka topic names use letters, digits, '.', '_' and '-'");
        }
    }

    /**
     * Checks the brokers' transaction limit against the configured timeout and creates missing
     * topics.
     *
     * @throws IllegalStateException with one line saying what is wrong
     */
    public void prepare() {
        Properties admin = new Properties();
        admin.putAll(clientProperties);
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        admin.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        try (Admin client = Admin.create(admin)) {
            if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
                checkTransactionLimit(client);
            }
            if (createTopics) {
                createMissing(client, List.of(topic, deadLetterTopic));
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "Kafka at " + bootstrapServers + " refused: " + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "Kafka at " + bootstrapServers + " did not answer within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while preparing Kafka", e);
        }
    }

    private void checkTransactionLimit(Admin client)
            throws ExecutionException, InterruptedException, TimeoutException {
        Collection<org.apache.kafka.common.Node> nodes =
                client.describeCluster().nodes().get(30, TimeUnit.SECONDS);
        if (nodes.isEmpty()) {
            return;
        }
        ConfigResource broker =
                new ConfigResource(
                        ConfigResource.Type.BROKER, String.valueOf(nodes.iterator().next().id()));
        Config config =
                client.describeConfigs(Set.of(broker)).all().get(30, TimeUnit.SECONDS).get(broker);
        ConfigEntry max = config.get("transaction.max.timeout.ms");
        if (max != null && max.value() != null) {
            long maxMs = Long.parseLong(max.value());
            if (transactionTimeout.toMillis() > maxMs) {
                throw new IllegalStateException(
                        KafkaSinkOptions.TRANSACTION_TIMEOUT.key()
                                + "="
                                + transactionTimeout
                                + " is longer than the brokers' transaction.max.timeout.ms="
                                + maxMs
                                + "; lower the setting or raise the brokers' limit");
            }
        }
    }

    private void createMissing(Admin client, List<String> topics)
            throws ExecutionException, InterruptedException, TimeoutException {
        Set<String> existing = client.listTopics().names().get(30, TimeUnit.SECONDS);
        List<NewTopic> missing = new ArrayList<>();
        for (String t : topics) {
            if (!existing.contains(t)) {
                missing.add(
                        new NewTopic(
                                t,
                                Optional.of(partitions),
                                replication == -1
                                        ? Optional.empty()
                                        : Optional.of((short) replication)));
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        try {
            client.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            LOG.info("Created Kafka topics {}", missing);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }

    public AbortTolerantKafkaSink<WindowAggregate> aggregateSink() {
        return build(topic, KafkaJsonSerializer.aggregates(topic));
    }

    public AbortTolerantKafkaSink<DeadLetter> deadLetterSink() {
        return build(deadLetterTopic, KafkaJsonSerializer.deadLetters(deadLetterTopic));
    }

    private <T> AbortTolerantKafkaSink<T> build(
            String topicName, KafkaJsonSerializer<T> serializer) {
        Properties producer = new Properties();
        producer.putAll(clientProperties);
        producer.put(ProducerConfig.ACKS_CONFIG, "all");
        producer.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        producer.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            producer.put(
                    ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                    String.valueOf(transactionTimeout.toMillis()));
        }
        return new AbortTolerantKafkaSink<>(
                KafkaSink.<T>builder()
                        .setBootstrapServers(bootstrapServers)
                        .setKafkaProducerConfig(producer)
                        .setRecordSerializer(serializer)
                        .setDeliveryGuarantee(guarantee)
                        .setTransactionalIdPrefix(transactionalIdPrefix + "-" + topicName)
                        .build());
    }
}
