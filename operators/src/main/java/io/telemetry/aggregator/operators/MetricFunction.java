package io.telemetry.aggregator.operators;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The aggregation functions of the data contract. The codes are persisted in state and on the wire:
 * never renumber them, only add.
 */
public enum MetricFunction {
    COUNT(0, "count"),
    SUM(1, "sum"),
    MIN(2, "min"),
    MAX(3, "max"),
    AVG(4, "avg"),
    FIRST(5, "first"),
    LAST(6, "last"),
    STDDEV(7, "stddev"),
    COUNT_DISTINCT(8, "count_distinct"),
    P50(9, "p50", 0.50),
    P90(10, "p90", 0.90),
    P95(11, "p95", 0.95),
    P99(12, "p99", 0.99);

    private static final MetricFunction[] ALL = values();
    private static final MetricFunction[] BY_CODE = new MetricFunction[13];
    private static final Map<String, MetricFunction> BY_LABEL = new HashMap<>();

    static {
        for (MetricFunction f : ALL) {
            BY_CODE[f.code] = f;
            BY_LABEL.put(f.label, f);
        }
    }

    private final byte code;
    private final String label;
    private final double quantile;

    MetricFunction(int code, String label) {
        this(code, label, Double.NaN);
    }

    MetricFunction(int code, String label, double quantile) {
        this.code = (byte) code;
        this.label = label;
        this.quantile = quantile;
    }

    public byte code() {
        return code;
    }

    /** The name users write and read: {@code avg}, {@code p99}, {@code count_distinct}. */
    public String label() {
        return label;
    }

    public boolean isPercentile() {
        return !Double.isNaN(quantile);
    }

    public double quantile() {
        return quantile;
    }

    public static MetricFunction ofCode(byte code) {
        if (code < 0 || code >= BY_CODE.length || BY_CODE[code] == null) {
            throw new IllegalArgumentException("Unknown function code " + code);
        }
        return BY_CODE[code];
    }

    /** Looks a function up by name, ignoring case; null when there is none of that name. */
    public static MetricFunction byName(String name) {
        MetricFunction exact = BY_LABEL.get(name);
        if (exact != null) {
            return exact;
        }
        for (MetricFunction f : ALL) {
            if (f.label.equalsIgnoreCase(name)) {
                return f;
            }
        }
        return null;
    }

    /** The names of all functions, for error messages. */
    public static String names() {
        StringBuilder sb = new StringBuilder();
        for (MetricFunction f : ALL) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(f.label);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return label.toLowerCase(Locale.ROOT);
    }
}
