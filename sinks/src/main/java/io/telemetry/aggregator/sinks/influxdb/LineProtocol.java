package io.telemetry.aggregator.sinks.influxdb;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.telemetry.aggregator.operators.WindowAggregate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes an aggregate as one InfluxDB line-protocol point: measurement = metric; tags = the event's
 * tags plus {@code source} and {@code function}; fields {@code value} (float) and {@code count}
 * (integer); timestamp = window start in milliseconds.
 *
 * <p>Escaping follows the line-protocol spec: commas and spaces in measurements, commas, equals
 * signs and spaces in tag keys, tag values and field keys. Two things line protocol cannot carry
 * are mapped: a line break in a name becomes {@code \n} written out (backslash, n), and a tag with
 * an empty value is left out, as InfluxDB stores no empty tag values. Backslashes: see {@link
 * #point(WindowAggregate, boolean)}. A value that is not finite (a sum that overflowed) leaves the
 * {@code value} field out.
 */
public final class LineProtocol {

    private static final JsonFactory JSON = new JsonFactory();

    private LineProtocol() {}

    /**
     * One point.
     *
     * @param doubleBackslashes write every backslash as two, as InfluxDB 2.x and 3.x read them;
     *     InfluxDB 1.x keeps both in tag values, so for it only a backslash that would escape the
     *     next character is doubled
     */
    public static String point(WindowAggregate a, boolean doubleBackslashes) {
        StringBuilder sb = new StringBuilder(128);
        escape(sb, a.metric, false, doubleBackslashes);
        Map<String, String> tags = parseTags(a.tags);
        tags.put("source", a.source);
        tags.put("function", a.function);
        for (Map.Entry<String, String> tag : tags.entrySet()) {
            if (tag.getKey().isEmpty() || tag.getValue().isEmpty()) {
                continue;
            }
            sb.append(',');
            escape(sb, tag.getKey(), true, doubleBackslashes);
            sb.append('=');
            escape(sb, tag.getValue(), true, doubleBackslashes);
        }
        sb.append(' ');
        if (Double.isFinite(a.value)) {
            sb.append("value=").append(a.value).append(',');
        }
        sb.append("count=").append(a.count).append('i');
        sb.append(' ').append(a.windowStart);
        return sb.toString();
    }

    /** The canonical tags JSON object as a sorted map. */
    static Map<String, String> parseTags(String json) {
        Map<String, String> tags = new TreeMap<>();
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return tags;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                p.nextToken();
                tags.put(key, p.getText());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Tags are not a JSON object: " + json, e);
        }
        return tags;
    }

    private static void escape(
            StringBuilder sb, String s, boolean equalsToo, boolean doubleBackslashes) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case ',':
                case ' ':
                    sb.append('\\').append(c);
                    break;
                case '=':
                    if (equalsToo) {
                        sb.append('\\');
                    }
                    sb.append(c);
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\\':
                    // A backslash is literal unless it would escape what follows.
                    boolean last = i == s.length() - 1;
                    char next = last ? 0 : s.charAt(i + 1);
                    if (doubleBackslashes
                            || last
                            || next == ','
                            || next == ' '
                            || next == '\\'
                            || (equalsToo && next == '=')) {
                        sb.append("\\\\");
                    } else {
                        sb.append(c);
                    }
                    break;
                default:
                    sb.append(c);
            }
        }
    }

    /** Points joined into one request body. */
    static String body(List<String> points) {
        return String.join("\n", points);
    }
}
