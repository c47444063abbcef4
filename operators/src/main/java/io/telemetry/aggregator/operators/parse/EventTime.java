package io.telemetry.aggregator.operators.parse;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Event-time values of the input formats, as epoch milliseconds. */
final class EventTime {

    /** Returned when a value is not a time at all. */
    static final long INVALID = Long.MIN_VALUE;

    private static final double SECONDS_LIMIT = 1e11;
    private static final double MILLIS_LIMIT = 1e14;

    private EventTime() {}

    /**
     * An epoch number: seconds below 10^11, milliseconds below 10^14, nanoseconds above.
     * Negative numbers are returned negative, so that the range check rejects them.
     */
    static long fromEpochNumber(long n) {
        long abs = Math.abs(n);
        if (abs < SECONDS_LIMIT) {
            return n * 1000;
        }
        if (abs < MILLIS_LIMIT) {
            return n;
        }
        return n / 1_000_000;
    }

    /** Like {@link #fromEpochNumber(long)} for a fractional number (e.g. 1795430400.123). */
    static long fromEpochNumber(double n) {
        double abs = Math.abs(n);
        if (abs < SECONDS_LIMIT) {
            return Math.round(n * 1000);
        }
        if (abs < MILLIS_LIMIT) {
            return Math.round(n);
        }
        return Math.round(n / 1_000_000);
    }

    /** An ISO-8601 date-time with an offset ({@code Z}, {@code +02:00}), or without one as UTC. */
    static long fromIso(String text) {
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                    .toInstant()
                    .toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(text, DateTimeFormatter.ISO_LOCAL_DATE_TIME)
                        .toInstant(ZoneOffset.UTC)
                        .toEpochMilli();
            } catch (DateTimeParseException | ArithmeticException e2) {
                return INVALID;
            }
        } catch (ArithmeticException e) {
            return INVALID;
        }
    }
}
