package io.telemetry.aggregator.operators.parse;

import io.telemetry.aggregator.operators.DeadLetter;
import io.telemetry.aggregator.operators.MetricFunction;
import io.telemetry.aggregator.operators.TelemetryRecord;
import java.util.Arrays;

/**
 * Parses InfluxDB line protocol: {@code measurement,tag=v field=1.5,other=3i 1795430400000000000}.
 * Each numeric field is one metric named {@code measurement.field} ({@code measurement} alone for a
 * field named {@code value}); booleans count as 1 and 0; string fields cannot be aggregated and go
 * to the dead letters.
 */
final class LineProtocolParser {

    private final ParseSettings settings;
    private final TagSet tags = new TagSet();
    private final StringBuilder sb = new StringBuilder(64);

    private String[] fieldNames = new String[8];
    private double[] fieldValues = new double[8];
    private String[] fieldProblems = new String[8];
    private int fieldCount;
    private int pos;

    LineProtocolParser(ParseSettings settings) {
        this.settings = settings;
    }

    boolean parse(DatagramContext ctx, int from, int to, ParseOutput out) {
        String line = ctx.decode(from, to);
        if (line == null) {
            out.deadLetter(ctx.deadLetter(DeadLetter.MALFORMED, "not valid UTF-8", from, to));
            return false;
        }
        String problem = parseLine(line);
        if (problem != null) {
            out.deadLetter(ctx.deadLetter(DeadLetter.MALFORMED, problem, from, to));
            return false;
        }
        String measurement = parsedMeasurement;
        long timestamp = ctx.receivedAt;
        if (parsedTimestamp != NO_TIMESTAMP) {
            timestamp = toMillis(parsedTimestamp);
            if (!ctx.timeInRange(timestamp, settings.maxFutureSkewMillis, from, to, out)) {
                return false;
            }
        }
        String source = tags.takeSource(settings.sourceFields, ctx);
        String tagsJson = tags.toJson();
        boolean emitted = false;
        for (int i = 0; i < fieldCount; i++) {
            if (fieldProblems[i] != null) {
                out.deadLetter(
                        ctx.deadLetter(DeadLetter.INVALID_VALUE, fieldProblems[i], from, to));
                continue;
            }
            String metric =
                    fieldNames[i].equals("value") ? measurement : measurement + '.' + fieldNames[i];
            MetricFunction[] fns = settings.functionRules.forMetric(metric);
            for (MetricFunction f : fns) {
                out.record(
                        new TelemetryRecord(
                                metric,
                                source,
                                tagsJson,
                                f,
                                fieldValues[i],
                                timestamp,
                                ctx.receivedAt));
            }
            emitted = true;
        }
        return emitted;
    }

    private static final long NO_TIMESTAMP = Long.MIN_VALUE;
    private String parsedMeasurement;
    private long parsedTimestamp;

    /** Parses one line into the fields above; returns null, or what is malformed. */
    private String parseLine(String line) {
        int n = line.length();
        pos = 0;
        fieldCount = 0;
        tags.clear();
        parsedTimestamp = NO_TIMESTAMP;

        parsedMeasurement = readName(line, false);
        if (parsedMeasurement.isEmpty()) {
            return "line protocol needs a measurement before the first ',' or space";
        }
        while (pos < n && line.charAt(pos) == ',') {
            pos++;
            String key = readName(line, true);
            if (pos >= n || line.charAt(pos) != '=') {
                return "tag '" + key + "' has no '='";
            }
            pos++;
            String value = readName(line, true);
            if (key.isEmpty() || value.isEmpty()) {
                return "tag keys and values must not be empty";
            }
            tags.put(key, value);
        }
        if (pos >= n || line.charAt(pos) != ' ') {
            return "line protocol needs fields after the measurement and tags";
        }
        while (pos < n && line.charAt(pos) == ' ') {
            pos++;
        }
        while (true) {
            String key = readName(line, true);
            if (key.isEmpty()) {
                return "field keys must not be empty";
            }
            if (pos >= n || line.charAt(pos) != '=') {
                return "field '" + key + "' has no '='";
            }
            pos++;
            if (pos < n && line.charAt(pos) == '"') {
                int end = skipQuoted(line, pos + 1);
                if (end < 0) {
                    return "string field '" + key + "' has no closing quote";
                }
                pos = end + 1;
                addField(
                        key,
                        Double.NaN,
                        "field '"
                                + key
                                + "' is a string; only numbers and booleans can be aggregated");
            } else {
                int start = pos;
                while (pos < n && line.charAt(pos) != ',' && line.charAt(pos) != ' ') {
                    pos++;
                }
                if (start == pos) {
                    return "field '" + key + "' has no value";
                }
                double value = fieldValue(line, start, pos);
                addField(
                        key,
                        value,
                        Double.isFinite(value)
                                ? null
                                : "field '"
                                        + key
                                        + "' value '"
                                        + line.substring(start, pos)
                                        + "' is not a number");
            }
            if (pos < n && line.charAt(pos) == ',') {
                pos++;
                continue;
            }
            break;
        }
        while (pos < n && line.charAt(pos) == ' ') {
            pos++;
        }
        if (pos < n) {
            int start = pos;
            while (pos < n && line.charAt(pos) != ' ') {
                pos++;
            }
            long ts = Numbers.parseLong(line, start, pos);
            if (ts == Long.MIN_VALUE) {
                return "timestamp '" + line.substring(start, pos) + "' is not an integer";
            }
            while (pos < n && line.charAt(pos) == ' ') {
                pos++;
            }
            if (pos < n) {
                return "unexpected text after the timestamp";
            }
            parsedTimestamp = ts;
        }
        return null;
    }

    private long toMillis(long ts) {
        long unitsPerMilli = settings.lineProtocolUnitsPerMilli;
        if (unitsPerMilli == 0) {
            return Math.abs(ts) > Long.MAX_VALUE / 1000 ? Long.MAX_VALUE : ts * 1000;
        }
        return Math.floorDiv(ts, unitsPerMilli);
    }

    /**
     * Reads a measurement (escapes {@code \,} and {@code \ }) or a key or tag value (also {@code
     * \=}), stopping at an unescaped ',' or ' ' (and '=' for keys and tag values).
     */
    private String readName(String line, boolean equalsSpecial) {
        sb.setLength(0);
        int n = line.length();
        while (pos < n) {
            char c = line.charAt(pos);
            if (c == '\\' && pos + 1 < n) {
                char next = line.charAt(pos + 1);
                if (next == ',' || next == ' ' || (equalsSpecial && next == '=')) {
                    sb.append(next);
                    pos += 2;
                    continue;
                }
            }
            if (c == ',' || c == ' ' || (equalsSpecial && c == '=')) {
                break;
            }
            sb.append(c);
            pos++;
        }
        return sb.toString();
    }

    /** Index of the closing quote of a string field value starting after its opening quote. */
    private static int skipQuoted(String line, int i) {
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < n) {
                i += 2;
                continue;
            }
            if (c == '"') {
                return i;
            }
            i++;
        }
        return -1;
    }

    private static double fieldValue(String line, int start, int end) {
        char last = line.charAt(end - 1);
        if (last == 'i' || last == 'u') {
            long v = Numbers.parseLong(line, start, end - 1);
            if (v == Long.MIN_VALUE || (last == 'u' && v < 0)) {
                return Double.NaN;
            }
            return v;
        }
        switch (line.substring(start, end)) {
            case "t":
            case "T":
            case "true":
            case "True":
            case "TRUE":
                return 1;
            case "f":
            case "F":
            case "false":
            case "False":
            case "FALSE":
                return 0;
            default:
                return Numbers.parseDecimal(line, start, end);
        }
    }

    private void addField(String name, double value, String problem) {
        for (int i = 0; i < fieldCount; i++) {
            if (fieldNames[i].equals(name)) {
                fieldValues[i] = value;
                fieldProblems[i] = problem;
                return;
            }
        }
        if (fieldCount == fieldNames.length) {
            fieldNames = Arrays.copyOf(fieldNames, fieldCount * 2);
            fieldValues = Arrays.copyOf(fieldValues, fieldCount * 2);
            fieldProblems = Arrays.copyOf(fieldProblems, fieldCount * 2);
        }
        fieldNames[fieldCount] = name;
        fieldValues[fieldCount] = value;
        fieldProblems[fieldCount] = problem;
        fieldCount++;
    }
}
