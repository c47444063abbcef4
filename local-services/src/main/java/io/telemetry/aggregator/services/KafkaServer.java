package io.telemetry.aggregator.services;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A single-node Kafka broker in KRaft mode (broker and controller in one JVM), started as a child
 * JVM on free ports. Transactions work (the job's exactly-once sink needs them); topics keep their
 * records forever, so tests can replay old event times.
 */
public final class KafkaServer implements AutoCloseable {

    private final Path dir;
    private final java.util.List<String> command;
    private final int port;
    private ChildProcess process;

    private KafkaServer(Path dir, java.util.List<String> command, int port) {
        this.dir = dir;
        this.command = command;
        this.port = port;
    }

    public static KafkaServer start(Path dir) throws IOException, InterruptedException {
        return ChildProcess.onFreePorts(2, ports -> start(dir, ports[0], ports[1]));
    }

    private static KafkaServer start(Path dir, int port, int controllerPort)
            throws IOException, InterruptedException {
        Directories.deleteTree(dir.resolve("data")); // formatted by a try whose ports were taken
        Files.createDirectories(dir);
        Path config = dir.resolve("server.properties");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "process.roles=broker,controller",
                        "node.id=1",
                        "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                        "listeners=PLAINTEXT://127.0.0.1:"
                                + port
                                + ",CONTROLLER://127.0.0.1:"
                                + controllerPort,
                        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                        "controller.listener.names=CONTROLLER",
                        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                        "inter.broker.listener.name=PLAINTEXT",
                        "log.dirs=" + dir.resolve("data"),
                        "num.partitions=1",
                        "offsets.topic.replication.factor=1",
                        "transaction.state.log.replication.factor=1",
                        "transaction.state.log.min.isr=1",
                        "group.initial.rebalance.delay.ms=0",
                        "log.retention.ms=-1",
                        "auto.create.topics.enable=false",
                        ""),
                StandardCharsets.UTF_8);
        Path log4j = dir.resolve("log4j2.properties");
        Files.writeString(
                log4j,
                "rootLogger.level = INFO\nrootLogger.appenderRef.out.ref = out\n"
                        + "appender.out.type = Console\nappender.out.name = out\n"
                        + "appender.out.layout.type = PatternLayout\nappender.out.layout.pattern = %d %p %c - %m%n\n"
                        + "logger.kafka.name = kafka\nlogger.kafka.level = WARN\n"
                        + "logger.server.name = kafka.server.KafkaRaftServer\nlogger.server.level = INFO\n"
                        + "logger.apache.name = org.apache.kafka\nlogger.apache.level = WARN\n",
                StandardCharsets.UTF_8);
        String logging = "-Dlog4j.configurationFile=" + log4j;
        ChildProcess.run(
                "kafka-format",
                withProperty(
                        ChildProcess.java(
                                "256m",
                                "kafka.tools.StorageTool",
                                "format",
                                "-t",
                                org.apache.kafka.common.Uuid.randomUuid().toString(),
                                "-c",
                                config.toString()),
                        logging),
                dir,
                Duration.ofSeconds(60));
        KafkaServer server =
                new KafkaServer(
                        dir,
                        withProperty(
                                ChildProcess.java("384m", "kafka.Kafka", config.toString()),
                                logging),
                        port);
        server.startProcess();
        return server;
    }

    private void startProcess() throws IOException, InterruptedException {
        ChildProcess started = ChildProcess.start("kafka", command, dir);
        process = started;
        try {
            started.awaitListening(
                    port,
                    () -> started.logContains("Kafka Server started"),
                    Duration.ofSeconds(90));
        } catch (IOException | InterruptedException e) {
            close();
            throw e;
        }
    }

    /** Stops the broker (SIGTERM, by PID), keeping its data for {@link #restart()}. */
    public void stop() {
        process.close();
    }

    /** Starts the stopped broker again on the same ports with the same data. */
    public void restart() throws IOException, InterruptedException {
        startProcess();
    }

    private static java.util.List<String> withProperty(
            java.util.List<String> command, String property) {
        command.add(1, property);
        return command;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** A read_committed reader of a topic from its start; close it when done. */
    public CommittedRecords committedRecords(String topic) {
        return new CommittedRecords(bootstrapServers(), topic);
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.close();
    }
}
