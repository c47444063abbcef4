package io.telemetry.aggregator.operators.parse;

import io.telemetry.aggregator.operators.JsonText;
import java.util.Arrays;

/**
 * The tags of one record while it is parsed, written out as a canonical JSON object (keys sorted,
 * no spaces) so that equal tag sets give equal strings, and so equal series keys.
 */
final class TagSet {

    private String[] keys = new String[16];
    private String[] values = new String[16];
    private int size;
    private final StringBuilder json = new StringBuilder(128);
    private char[] jsonChars = new char[128];
    private final StringCache jsonStrings = new StringCache(1024);

    void clear() {
        Arrays.fill(keys, 0, size, null);
        Arrays.fill(values, 0, size, null);
        size = 0;
    }

    int size() {
        return size;
    }

    /** Sets a tag; a later value for the same key replaces the earlier one. */
    void put(String key, String value) {
        for (int i = 0; i < size; i++) {
            if (keys[i].equals(key)) {
                values[i] = value;
                return;
            }
        }
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        keys[size] = key;
        values[size] = value;
        size++;
    }

    /** Removes a tag and returns its value, or null. */
    String remove(String key) {
        for (int i = 0; i < size; i++) {
            if (keys[i].equals(key)) {
                String value = values[i];
                size--;
                keys[i] = keys[size];
                values[i] = values[size];
                keys[size] = null;
                values[size] = null;
                return value;
            }
        }
        return null;
    }

    /**
     * Removes and returns the first tag named in {@code sourceFields}; without one, the sender's
     * address is the source.
     */
    String takeSource(String[] sourceFields, DatagramContext ctx) {
        for (String field : sourceFields) {
            String source = remove(field);
            if (source != null) {
                return source;
            }
        }
        return ctx.senderAddress();
    }

    /**
     * The tags as canonical JSON, e.g. {@code {"host":"a","site":"lab"}}; {@code {}} if none. A tag
     * set seen shortly before gives the same string (a {@link StringCache}).
     */
    String toJson() {
        if (size == 0) {
            return "{}";
        }
        // Insertion sort: tag sets are small, and this allocates nothing.
        for (int i = 1; i < size; i++) {
            String k = keys[i];
            String v = values[i];
            int j = i - 1;
            while (j >= 0 && keys[j].compareTo(k) > 0) {
                keys[j + 1] = keys[j];
                values[j + 1] = values[j];
                j--;
            }
            keys[j + 1] = k;
            values[j + 1] = v;
        }
        StringBuilder sb = json;
        sb.setLength(0);
        sb.append('{');
        for (int i = 0; i < size; i++) {
            if (i > 0) {
                sb.append(',');
            }
            JsonText.appendQuoted(sb, keys[i]);
            sb.append(':');
            JsonText.appendQuoted(sb, values[i]);
        }
        sb.append('}');
        int length = sb.length();
        if (jsonChars.length < length) {
            jsonChars = new char[Math.max(length, jsonChars.length * 2)];
        }
        sb.getChars(0, length, jsonChars, 0);
        return jsonStrings.get(jsonChars, 0, length);
    }
}
