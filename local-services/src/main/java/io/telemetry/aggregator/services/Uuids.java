package io.telemetry.aggregator.services;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.UUID;

/**
 * Kafka's cluster ids: a UUID as 22 characters of URL-safe base64, never starting with '-'
 * (the storage tool would read that as an option).
 */
final class Uuids {

    private Uuids() {}

    static String kafkaClusterId() {
        while (true) {
            String id = kafkaClusterId(UUID.randomUUID());
            if (id.charAt(0) != '-') {
                return id;
            }
        }
    }

    static String kafkaClusterId(UUID uuid) {
        ByteBuffer bytes = ByteBuffer.allocate(16);
        bytes.putLong(uuid.getMostSignificantBits());
        bytes.putLong(uuid.getLeastSignificantBits());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    }
}
