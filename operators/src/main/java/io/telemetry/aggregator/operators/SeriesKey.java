package io.telemetry.aggregator.operators;

/**
 * What one aggregate is computed for: metric name, source, tags and function. The hash is computed
 * from strings and a byte only, so it is the same in every JVM, as Flink's key groups require.
 */
public class SeriesKey {

    public String metric;
    public String source;
    public String tags;
    public byte function;

    public SeriesKey() {}

    public SeriesKey(String metric, String source, String tags, byte function) {
        this.metric = metric;
        this.source = source;
        this.tags = tags;
        this.function = function;
    }

    public static SeriesKey of(TelemetryRecord record) {
        return new SeriesKey(record.metric, record.source, record.tags, record.function);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SeriesKey)) {
            return false;
        }
        SeriesKey that = (SeriesKey) o;
        return function == that.function
                && metric.equals(that.metric)
                && source.equals(that.source)
                && tags.equals(that.tags);
    }

    @Override
    public int hashCode() {
        return hash(metric, source, tags, function);
    }

    /** The {@link #hashCode()} of a key of these fields, without building it. */
    public static int hash(String metric, String source, String tags, byte function) {
        int h = metric.hashCode();
        h = 31 * h + source.hashCode();
        h = 31 * h + tags.hashCode();
        return 31 * h + function;
    }

    /** The key as one string, as it is written to Kafka: {@code metric|source|tags|function}. */
    @Override
    public String toString() {
        return metric + '|' + source + '|' + tags + '|' + MetricFunction.ofCode(function).label();
    }

    /** Same as {@link #toString()}, without building a key object. */
    public static String format(String metric, String source, String tags, String function) {
        return metric + '|' + source + '|' + tags + '|' + function;
    }
}
