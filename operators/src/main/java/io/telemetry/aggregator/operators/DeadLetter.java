package io.telemetry.aggregator.operators;

import java.util.Objects;

/**
 * A record the job could not use, with the reason: the contract's dead-letter record. A Flink POJO.
 */
public class DeadLetter {

    public static final String MALFORMED = "malformed";
    public static final String MISSING_METRIC = "missing_metric";
    public static final String INVALID_VALUE = "invalid_value";
    public static final String UNKNOWN_FUNCTION = "unknown_function";
    public static final String TIMESTAMP_OUT_OF_RANGE = "timestamp_out_of_range";
    public static final String TOO_LARGE = "too_large";
    public static final String LATE = "late";

    /** A line the job reads but does not aggregate: a DogStatsD event or service check. */
    public static final String UNSUPPORTED = "unsupported";

    /** A record of a new series in a window that holds as many as a cardinality limit allows. */
    public static final String CARDINALITY_LIMIT = "cardinality_limit";

    /**
     * Every reason, in the contract's order (and {@link #UNSUPPORTED} and {@link
     * #CARDINALITY_LIMIT}, added after it).
     */
    public static final String[] REASONS = {
        MALFORMED,
        MISSING_METRIC,
        INVALID_VALUE,
        UNKNOWN_FUNCTION,
        TIMESTAMP_OUT_OF_RANGE,
        TOO_LARGE,
        LATE,
        UNSUPPORTED,
        CARDINALITY_LIMIT
    };

    /** Longest raw record kept in a dead letter, in bytes. */
    public static final int MAX_RECORD_BYTES = 4096;

    public String reason;
    public String detail;

    /** The sender as {@code ip:port}. */
    public String sender;

    /** When the datagram arrived, epoch milliseconds. */
    public long receivedAt;

    /** The raw record, cut at 4 KiB. */
    public String record;

    public DeadLetter() {}

    public DeadLetter(String reason, String detail, String sender, long receivedAt, String record) {
        this.reason = reason;
        this.detail = detail;
        this.sender = sender;
        this.receivedAt = receivedAt;
        this.record = record;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof DeadLetter)) {
            return false;
        }
        DeadLetter that = (DeadLetter) o;
        return receivedAt == that.receivedAt
                && Objects.equals(reason, that.reason)
                && Objects.equals(detail, that.detail)
                && Objects.equals(sender, that.sender)
                && Objects.equals(record, that.record);
    }

    @Override
    public int hashCode() {
        return Objects.hash(reason, detail, sender, receivedAt, record);
    }

    @Override
    public String toString() {
        return reason + ": " + detail + " [" + record + "] from " + sender;
    }
}
