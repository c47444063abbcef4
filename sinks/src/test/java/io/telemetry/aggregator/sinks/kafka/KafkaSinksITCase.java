package io.telemetry.aggregator.sinks.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.telemetry.aggregator.operators.DeadLetter;
import io.telemetry.aggregator.services.CommittedRecords;
import io.telemetry.aggregator.services.KafkaServer;
import io.telemetry.aggregator.sinks.OutputJson;
import io.telemetry.aggregator.sinks.SinkTestData;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The Kafka outputs against a real broker, read back with a read_committed consumer. */
class KafkaSinksITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = new MiniClusterExtension();

    @TempDir static Path dir;
    private static KafkaServer kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = KafkaServer.start(dir);
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    private static Configuration config(String topic) {
        Configuration config = new Configuration();
        config.set(KafkaSinkOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        config.set(KafkaSinkOptions.TOPIC, topic);
        config.set(KafkaSinkOptions.DEAD_LETTER_TOPIC, topic + "-dead");
        config.set(KafkaSinkOptions.TOPIC_PARTITIONS, 2);
        config.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(1));
        return config;
    }

    /** What was committed to a topic: the expected records and, a second later, no more. */
    private static List<ConsumerRecord<String, String>> readCommitted(String topic, int expected) {
        try (CommittedRecords committed = kafka.committedRecords(topic)) {
            return committed.await(expected, Duration.ofSeconds(30));
        }
    }

    @Test
    void exactlyOnceAggregatesWithSeriesKeysAndContractJson() throws Exception {
        KafkaSinks sinks = KafkaSinks.from(config("aggregates-eos"));
        sinks.prepare();
        SinkTestData.write(sinks.aggregateSink(), SinkTestData.ALL);

        List<ConsumerRecord<String, String>> records = readCommitted("aggregates-eos", 3);

        assertThat(records)
                .extracting(ConsumerRecord::key)
                .containsExactlyInAnyOrder(
                        SinkTestData.PLAIN.seriesKey(),
                        SinkTestData.AWKWARD.seriesKey(),
                        SinkTestData.PLAIN_AGAIN.seriesKey());
        assertThat(records)
                .extracting(ConsumerRecord::value)
                .containsExactlyInAnyOrder(
                        OutputJson.aggregate(SinkTestData.PLAIN),
                        OutputJson.aggregate(SinkTestData.AWKWARD),
                        OutputJson.aggregate(SinkTestData.PLAIN_AGAIN));
        // One series is one key, so one partition: the re-emitted window follows the first one.
        List<String> plain = new ArrayList<>();
        for (ConsumerRecord<String, String> r : records) {
            if (r.key().equals(SinkTestData.PLAIN.seriesKey())) {
                plain.add(r.value());
            }
        }
        assertThat(plain)
                .containsExactly(
                        OutputJson.aggregate(SinkTestData.PLAIN),
                        OutputJson.aggregate(SinkTestData.PLAIN_AGAIN));
        assertThat(OutputJson.aggregate(SinkTestData.AWKWARD))
                .isEqualTo(
                        "{\"metric\":\"cpu load,\\\"x\\\"=1 \\\\ ü✓\",\"source\":\"dev 1,=\\\\\\\"\","
                                + "\"tags\":{\"a b,c=d\":\"e,f=g \\\"h\\\" \\\\ i\\nj ñ\",\"z\":\"日本\"},"
                                + "\"function\":\"p99\",\"window_start\":\"2026-11-23T10:30:00Z\","
                                + "\"window_end\":\"2026-11-23T10:31:00Z\",\"value\":1.5,\"count\":3}");
    }

    @Test
    void deadLettersGoToTheirOwnTopicAtLeastOnce() throws Exception {
        Configuration config = config("aggregates-alo");
        config.setString(KafkaSinkOptions.DELIVERY_GUARANTEE.key(), "at-least-once");
        KafkaSinks sinks = KafkaSinks.from(config);
        sinks.prepare();
        DeadLetter dead =
                new DeadLetter(
                        "malformed",
                        "invalid JSON",
                        "10.0.0.7:41234",
                        SinkTestData.T0,
                        "{\"metric\": x");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.fromData(List.of(dead), TypeInformation.of(DeadLetter.class))
                .sinkTo(sinks.deadLetterSink())
                .uid("dead-letters");
        env.execute();

        List<ConsumerRecord<String, String>> records = readCommitted("aggregates-alo-dead", 1);
        assertThat(records)
                .extracting(ConsumerRecord::value)
                .containsExactly(OutputJson.deadLetter(dead));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            assertThat(
                            admin.describeTopics(List.of("aggregates-alo"))
                                    .allTopicNames()
                                    .get(30, TimeUnit.SECONDS)
                                    .get("aggregates-alo")
                                    .partitions())
                    .hasSize(2);
        }
    }

    @Test
    void settingsAreCheckedAtStart() {
        Configuration missing = new Configuration();
        assertThatThrownBy(() -> KafkaSinks.from(missing))
                .hasMessage(
                        "sink.kafka.bootstrap-servers is missing: the kafka sink needs the brokers, e.g. kafka:9092 (or set KAFKA_BOOTSTRAP_SERVERS)");

        Configuration noCheckpoints = config("t");
        noCheckpoints.removeConfig(CheckpointingOptions.CHECKPOINTING_INTERVAL);
        assertThatThrownBy(() -> KafkaSinks.from(noCheckpoints))
                .hasMessage(
                        "sink.kafka.delivery-guarantee=exactly-once needs checkpoints: set execution.checkpointing.interval, e.g. 10s");

        Configuration shortTimeout = config("t");
        shortTimeout.set(KafkaSinkOptions.TRANSACTION_TIMEOUT, Duration.ofSeconds(1));
        assertThatThrownBy(() -> KafkaSinks.from(shortTimeout))
                .hasMessage(
                        "sink.kafka.transaction-timeout=PT1S is not allowed: a transaction stays open for a checkpoint interval (PT1S) and until the next checkpoint completes; use at least twice the interval");

        Configuration tooLong = config("t");
        tooLong.set(KafkaSinkOptions.TRANSACTION_TIMEOUT, Duration.ofMinutes(20));
        assertThatThrownBy(() -> KafkaSinks.from(tooLong).prepare())
                .hasMessage(
                        "sink.kafka.transaction-timeout=PT20M is longer than the brokers' transaction.max.timeout.ms=900000; lower the setting or raise the brokers' limit");
    }
}
