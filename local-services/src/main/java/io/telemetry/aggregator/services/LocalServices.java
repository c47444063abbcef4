package io.telemetry.aggregator.services;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts the stores of the local stack (bin/run-stack): Kafka, PostgreSQL and, where {@code
 * influxd} is installed, InfluxDB, on free local ports; writes their addresses as environment
 * variables for the job to {@code <dir>/stack.env}; and stops them all when it is stopped.
 */
public final class LocalServices {

    private LocalServices() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/local-stack").toAbsolutePath();
        Files.createDirectories(dir);
        List<AutoCloseable> started = new ArrayList<>();
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    for (int i = started.size() - 1; i >= 0; i--) {
                                        try {
                                            started.get(i).close();
                                        } catch (Exception e) {
                                            System.err.println("Stopping a service failed: " + e);
                                        }
                                    }
                                }));

        Map<String, String> env = new LinkedHashMap<>();
        List<String> storage = new ArrayList<>(List.of("log"));

        KafkaServer kafka = KafkaServer.start(dir.resolve("kafka"));
        started.add(kafka);
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        storage.add("kafka");

        PostgresServer postgres = PostgresServer.start(dir.resolve("postgres"));
        started.add(postgres);
        env.put("POSTGRES_CONNECTION_STRING", postgres.uri());
        storage.add("postgres");

        if (InfluxDbServer.executable() != null) {
            InfluxDbServer influx = InfluxDbServer.start(dir.resolve("influxdb"));
            started.add(influx);
            influx.query(null, "CREATE DATABASE telemetry");
            env.put("INFLUXDB_URL", influx.url());
            env.put("TELEMETRY_SINK_INFLUXDB_DATABASE", "telemetry");
            storage.add("influxdb");
        } else {
            System.out.println(
                    "influxd is not installed (apt-get install influxdb): running without InfluxDB");
        }
        env.put("STORAGE_TYPE", String.join(",", storage));

        StringBuilder file = new StringBuilder();
        env.forEach((k, v) -> file.append(k).append("='").append(v).append("'\n"));
        Path tmp = dir.resolve("stack.env.tmp");
        Files.writeString(tmp, file, StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve("stack.env"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        System.out.println("Local services are up:");
        env.forEach((k, v) -> System.out.println("  " + k + "=" + v));
        Thread.currentThread().join();
    }
}
