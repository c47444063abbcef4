package io.telemetry.aggregator.operators.parse;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.telemetry.aggregator.operators.DeadLetter;
import io.telemetry.aggregator.operators.MetricFunction;
import io.telemetry.aggregator.operators.TelemetryRecord;
import java.io.IOException;
import java.util.Arrays;

/**
 * Parses JSON records with Jackson's streaming parser, in both forms of the contract: the
 * single-metric form ({@code metric}/{@code name} and {@code value}) and the multi-field form (no
 * {@code value}: every numeric field is a metric).
 */
final class JsonRecordParser {

    // Jackson's fast double parser rounds as Double.parseDouble does, in a fraction of its time.
    private static final JsonFactory FACTORY =
            JsonFactory.builder()
                    .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                    .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                    .build();

    private final ParseSettings settings;
    private final TagSet tags = new TagSet();
    private final StringCache strings = new StringCache(8192);

    // Scratch space reused from record to record.
    private String[] stringNames = new String[16];
    private String[] stringValues = new String[16];
    private int stringCount;
    private String[] numberNames = new String[16];
    private double[] numberValues = new double[16];
    private int numberCount;
    private final MetricFunction[] functions = new MetricFunction[MetricFunction.values().length];
    private int functionCount;
    private String metricField;
    private String nameField;
    private boolean hasValue;
    private double value;
    private String valueProblem;
    private String unknownFunction;
    private long timestamp;
    private boolean hasTime;
    private String timeProblem;

    // The parser reading the current datagram's records: it started at sharedData[sharedBase]
    // and its last record ended at sharedEnd.
    private JsonParser shared;
    private byte[] sharedData;
    private int sharedBase;
    private int sharedEnd;

    JsonRecordParser(ParseSettings settings) {
        this.settings = settings;
    }

    /**
     * Parses {@code ctx.data[from, to)}; returns true when it yielded at least one value. A
     * datagram's records are read by one Jackson parser, one after the other (creating a parser
     * costs more than reading a record); a record that does not end exactly at {@code to} or that
     * Jackson rejects is read again on its own, so that what it yields (or its dead letter) does
     * not depend on its neighbours. Call {@link #endDatagram()} after the datagram's last record.
     */
    boolean parse(DatagramContext ctx, int from, int to, ParseOutput out) {
        try {
            JsonParser p = continuing(ctx.data, from);
            if (p.nextToken() == JsonToken.START_OBJECT
                    && readFields(p) == JsonToken.END_OBJECT
                    && sharedBase + p.currentLocation().getByteOffset() == to) {
                sharedEnd = to;
                return finish(ctx, from, to, out);
            }
        } catch (IOException e) {
            // read again on its own below, for the dead letter the record gets alone
        }
        endDatagram();
        return parseAlone(ctx, from, to, out);
    }

    /** Releases the parser of the datagram's records. */
    void endDatagram() {
        if (shared != null) {
            try {
                shared.close();
            } catch (IOException e) {
                // a parser over a byte array has nothing to close
            }
            shared = null;
        }
    }

    /**
     * The datagram's parser when the bytes between the end of its last record and {@code from} are
     * whitespace only; otherwise a new one over {@code data[from, data.length)}.
     */
    private JsonParser continuing(byte[] data, int from) throws IOException {
        if (shared != null && sharedData == data && sharedEnd <= from) {
            int i = sharedEnd;
            while (i < from && isJsonWhitespace(data[i])) {
                i++;
            }
            if (i == from) {
                return shared;
            }
        }
        endDatagram();
        shared = FACTORY.createParser(data, from, data.length - from);
        sharedData = data;
        sharedBase = from;
        sharedEnd = from;
        return shared;
    }

    private static boolean isJsonWhitespace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }

    /** Parses {@code ctx.data[from, to)} with a parser of its own, which sees nothing after it. */
    private boolean parseAlone(DatagramContext ctx, int from, int to, ParseOutput out) {
        try (JsonParser p = FACTORY.createParser(ctx.data, from, to - from)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                out.deadLetter(
                        ctx.deadLetter(
                                DeadLetter.MALFORMED, "a JSON record must be an object", from, to));
                return false;
            }
            JsonToken token = readFields(p);
            if (token != JsonToken.END_OBJECT || p.nextToken() != null) {
                out.deadLetter(
                        ctx.deadLetter(
                                DeadLetter.MALFORMED,
                                "trailing content after the JSON object",
                                from,
                                to));
                return false;
            }
        } catch (JsonProcessingException e) {
            out.deadLetter(
                    ctx.deadLetter(
                            DeadLetter.MALFORMED, oneLine(e.getOriginalMessage()), from, to));
            return false;
        } catch (IOException e) {
            out.deadLetter(ctx.deadLetter(DeadLetter.MALFORMED, oneLine(e.getMessage()), from, to));
            return false;
        }
        return finish(ctx, from, to, out);
    }

    /**
     * Reads the fields of the object whose {@code START_OBJECT} {@code p} is on into the scratch
     * fields; returns the token after the last field ({@code END_OBJECT} when well-formed).
     */
    private JsonToken readFields(JsonParser p) throws IOException {
        stringCount = 0;
        numberCount = 0;
        functionCount = 0;
        tags.clear();
        metricField = null;
        nameField = null;
        hasValue = false;
        value = Double.NaN;
        valueProblem = null;
        unknownFunction = null;
        timestamp = EventTime.INVALID;
        hasTime = false;
        timeProblem = null;
        JsonToken token;
        while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            token = p.nextToken();
            switch (field) {
                case "value":
                    hasValue = true;
                    if (token.isNumeric()) {
                        value = p.getDoubleValue();
                        if (!Double.isFinite(value)) {
                            valueProblem = "value " + p.getText() + " is not a finite number";
                        }
                    } else {
                        valueProblem = "value must be a number, not " + describe(p, token);
                        p.skipChildren();
                    }
                    break;
                case "metric":
                    metricField = token == JsonToken.VALUE_STRING ? text(p) : "";
                    p.skipChildren();
                    break;
                case "name":
                    if (token == JsonToken.VALUE_STRING) {
                        nameField = text(p);
                    } else {
                        p.skipChildren();
                    }
                    break;
                case "function":
                    unknownFunction = readFunctions(p, token);
                    break;
                case "timestamp":
                case "time":
                case "ts":
                    if (hasTime) {
                        p.skipChildren();
                        break;
                    }
                    hasTime = true;
                    readTime(p, token, field);
                    break;
                case "tags":
                    if (token == JsonToken.START_OBJECT) {
                        readTags(p);
                    } else {
                        p.skipChildren();
                    }
                    break;
                default:
                    if (token == JsonToken.VALUE_STRING) {
                        addString(field, text(p));
                    } else if (token.isNumeric()) {
                        addNumber(field, p.getDoubleValue());
                    } else {
                        p.skipChildren();
                    }
            }
        }
        return token;
    }

    private void readTime(JsonParser p, JsonToken token, String field) throws IOException {
        if (token == JsonToken.VALUE_NUMBER_INT) {
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                timestamp = Long.MAX_VALUE;
            } else {
                timestamp = EventTime.fromEpochNumber(p.getLongValue());
            }
        } else if (token == JsonToken.VALUE_NUMBER_FLOAT) {
            double d = p.getDoubleValue();
            if (!Double.isFinite(d)) {
                timeProblem = field + " " + p.getText() + " is not a time";
            } else {
                timestamp = EventTime.fromEpochNumber(d);
            }
        } else if (token == JsonToken.VALUE_STRING) {
            String text = p.getText();
            timestamp = EventTime.fromIso(text);
            if (timestamp == EventTime.INVALID) {
                timeProblem = field + " '" + text + "' is not an ISO-8601 time or epoch number";
            }
        } else {
            timeProblem = field + " must be an ISO-8601 string or an epoch number";
            p.skipChildren();
        }
    }

    /** Checks and emits what {@link #readFields} read from {@code ctx.data[from, to)}. */
    private boolean finish(DatagramContext ctx, int from, int to, ParseOutput out) {
        if (unknownFunction != null) {
            out.deadLetter(
                    ctx.deadLetter(
                            DeadLetter.UNKNOWN_FUNCTION,
                            "unknown function '"
                                    + unknownFunction
                                    + "'; known: "
                                    + MetricFunction.names(),
                            from,
                            to));
            return false;
        }
        if (timeProblem != null) {
            out.deadLetter(ctx.deadLetter(DeadLetter.MALFORMED, timeProblem, from, to));
            return false;
        }

        String metric;
        if (hasValue) {
            metric = metricField != null ? metricField : nameField;
            if (metricField != null && nameField != null) {
                addString("name", nameField);
            }
            if (metric == null || metric.isEmpty()) {
                out.deadLetter(
                        ctx.deadLetter(
                                DeadLetter.MISSING_METRIC,
                                "a record with a value needs a non-empty string 'metric' or 'name'",
                                from,
                                to));
                return false;
            }
            if (valueProblem != null) {
                out.deadLetter(ctx.deadLetter(DeadLetter.INVALID_VALUE, valueProblem, from, to));
                return false;
            }
        } else {
            metric = null;
            if (metricField != null && !metricField.isEmpty()) {
                addString("metric", metricField);
            }
            if (nameField != null) {
                addString("name", nameField);
            }
            if (numberCount == 0) {
                out.deadLetter(
                        ctx.deadLetter(
                                DeadLetter.MISSING_METRIC,
                                "no 'value' field and no numeric fields to aggregate",
                                from,
                                to));
                return false;
            }
        }

        if (!hasTime) {
            timestamp = ctx.receivedAt;
        } else {
            if (!ctx.timeInRange(timestamp, settings.maxFutureSkewMillis, from, to, out)) {
                return false;
            }
        }

        String source = chooseSource(ctx);
        for (int i = 0; i < stringCount; i++) {
            tags.put(stringNames[i], stringValues[i]);
        }
        String tagsJson = tags.toJson();

        if (hasValue) {
            emit(metric, value, source, tagsJson, timestamp, ctx.receivedAt, out);
            return true;
        }
        boolean emitted = false;
        for (int i = 0; i < numberCount; i++) {
            if (Double.isFinite(numberValues[i])) {
                emit(
                        numberNames[i],
                        numberValues[i],
                        source,
                        tagsJson,
                        timestamp,
                        ctx.receivedAt,
                        out);
                emitted = true;
            } else {
                out.deadLetter(
                        ctx.deadLetter(
                                DeadLetter.INVALID_VALUE,
                                "field '" + numberNames[i] + "' is not a finite number",
                                from,
                                to));
            }
        }
        return emitted;
    }

    private void emit(
            String metric,
            double value,
            String source,
            String tagsJson,
            long timestamp,
            long receivedAt,
            ParseOutput out) {
        MetricFunction[] fns;
        int n;
        if (functionCount > 0) {
            fns = functions;
            n = functionCount;
        } else {
            fns = settings.functionRules.forMetric(metric);
            n = fns.length;
        }
        for (int i = 0; i < n; i++) {
            out.record(
                    new TelemetryRecord(
                            metric, source, tagsJson, fns[i], value, timestamp, receivedAt));
        }
    }

    /** The first configured source field among the top-level strings; it is not also a tag. */
    private String chooseSource(DatagramContext ctx) {
        for (String field : settings.sourceFields) {
            for (int i = 0; i < stringCount; i++) {
                if (stringNames[i].equals(field)) {
                    String source = stringValues[i];
                    stringCount--;
                    stringNames[i] = stringNames[stringCount];
                    stringValues[i] = stringValues[stringCount];
                    return source;
                }
            }
        }
        return ctx.senderAddress();
    }

    /** Reads a function name or list; returns the first unknown name, or null. */
    private String readFunctions(JsonParser p, JsonToken token) throws IOException {
        if (token == JsonToken.VALUE_STRING) {
            return addFunction(text(p));
        }
        if (token == JsonToken.START_ARRAY) {
            String unknown = null;
            while ((token = p.nextToken()) != JsonToken.END_ARRAY) {
                if (token == JsonToken.VALUE_STRING) {
                    String bad = addFunction(text(p));
                    if (unknown == null) {
                        unknown = bad;
                    }
                } else {
                    if (unknown == null) {
                        unknown = p.getText();
                    }
                    p.skipChildren();
                }
            }
            return unknown;
        }
        p.skipChildren();
        return token.asString() != null ? token.asString() : token.name();
    }

    private String addFunction(String name) {
        MetricFunction f = MetricFunction.byName(name);
        if (f == null) {
            return name;
        }
        for (int i = 0; i < functionCount; i++) {
            if (functions[i] == f) {
                return null;
            }
        }
        functions[functionCount++] = f;
        return null;
    }

    private void readTags(JsonParser p) throws IOException {
        JsonToken token;
        while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            token = p.nextToken();
            if (token.isScalarValue() && token != JsonToken.VALUE_NULL) {
                tags.put(key, text(p));
            } else {
                p.skipChildren();
            }
        }
    }

    /** The current token's text, the same string as the last time it was read when it recurs. */
    private String text(JsonParser p) throws IOException {
        return strings.get(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
    }

    private void addString(String name, String value) {
        if (stringCount == stringNames.length) {
            stringNames = Arrays.copyOf(stringNames, stringCount * 2);
            stringValues = Arrays.copyOf(stringValues, stringCount * 2);
        }
        stringNames[stringCount] = name;
        stringValues[stringCount] = value;
        stringCount++;
    }

    private void addNumber(String name, double value) {
        if (numberCount == numberNames.length) {
            numberNames = Arrays.copyOf(numberNames, numberCount * 2);
            numberValues = Arrays.copyOf(numberValues, numberCount * 2);
        }
        numberNames[numberCount] = name;
        numberValues[numberCount] = value;
        numberCount++;
    }

    private static String describe(JsonParser p, JsonToken token) throws IOException {
        switch (token) {
            case VALUE_STRING:
                return "the string \"" + p.getText() + "\"";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "a boolean";
            case VALUE_NULL:
                return "null";
            case START_OBJECT:
                return "an object";
            case START_ARRAY:
                return "an array";
            default:
                return token.name();
        }
    }

    private static String oneLine(String message) {
        if (message == null) {
            return "invalid JSON";
        }
        return "invalid JSON: " + message.replace('\n', ' ');
    }
}
