package io.telemetry.aggregator.operators.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EventTimeTest {

    /** What java.time's formatter makes of a text: the reference the fast path must match. */
    private static long reference(String text) {
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                    .toInstant()
                    .toEpochMilli();
        } catch (RuntimeException e) {
            return EventTime.INVALID;
        }
    }

    @Test
    void theUtcFastPathAgreesWithJavaTimeOnRandomInstantsAndFractions() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++) {
            long millis = random.nextLong(-2_000_000_000_000L, 8_000_000_000_000L);
            Instant instant = Instant.ofEpochMilli(millis).plusNanos(random.nextInt(1_000_000));
            String text = instant.toString(); // Z, and 0, 3, 6 or 9 fraction digits
            assertThat(EventTime.fromIso(text)).as(text).isEqualTo(reference(text));
        }
    }

    @Test
    void edgeCases() {
        for (String text :
                new String[] {
                    "2026-11-23T10:30:00Z", "2026-11-23T10:30:00.1Z", "2026-11-23T10:30:00.12Z",
                    "2026-11-23T10:30:00.123456789Z", "2024-02-29T23:59:59.999Z",
                            "1970-01-01T00:00:00Z",
                    "1969-12-31T23:59:59.999Z", "2026-11-23T10:30:00+02:00",
                }) {
            assertThat(EventTime.fromIso(text)).as(text).isEqualTo(reference(text));
        }
        for (String text :
                new String[] {
                    "2025-02-29T00:00:00Z",
                    "2026-13-01T00:00:00Z",
                    "2026-11-31T00:00:00Z",
                    "2026-11-23T24:00:00Z",
                    "2026-11-23T10:60:00Z",
                    "2026-11-23T10:30:00.Z",
                    "2026-11-23T10:30:00.1234567890Z",
                    "2026-11-23 10:30:00Z",
                    "2026-1x-23T10:30:00Z",
                    "not a time at all",
                }) {
            assertThat(EventTime.fromUtcIso(text)).as(text).isEqualTo(EventTime.INVALID);
            assertThat(EventTime.fromIso(text)).as(text).isEqualTo(reference(text));
        }
        // Without an offset: UTC, through java.time.
        assertThat(EventTime.fromIso("2026-11-23T10:30:00"))
                .isEqualTo(Instant.parse("2026-11-23T10:30:00Z").toEpochMilli());
    }
}
