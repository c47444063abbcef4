package io.telemetry.aggregator.operators.parse;

import io.telemetry.aggregator.operators.DeadLetter;
import io.telemetry.aggregator.operators.MetricFunction;
import io.telemetry.aggregator.operators.TelemetryRecord;

/**
 * Parses StatsD (with DogStatsD tags): {@code name:value|type[|@rate][|#tag:v,tag2:v2][|T<epoch
 * seconds>]}, with StatsD's meaning. Counters ({@code c}) aggregate as {@code sum} scaled by
 * 1/rate; gauges ({@code g}) as {@code last}, where a signed value ({@code +N}, {@code -N}) changes
 * the gauge instead of setting it; timers and histograms ({@code ms}, {@code h}, {@code d}) with
 * {@code parse.statsd.timer-functions}, a sampled sample counting 1/rate in {@code count} while the
 * other statistics are over the samples; sets ({@code s}) as {@code count_distinct}. DogStatsD
 * events ({@code _e{...}}) and service checks ({@code _sc|...}) are dead letters with reason {@code
 * unsupported}; other DogStatsD sections (container id {@code |c:}, ...) are ignored.
 */
final class StatsdParser {

    private static final MetricFunction[] COUNTER = {MetricFunction.SUM};
    private static final MetricFunction[] GAUGE = {MetricFunction.LAST};
    private static final MetricFunction[] SET = {MetricFunction.COUNT_DISTINCT};

    private final ParseSettings settings;
    private final MetricFunction[] timer;
    private final TagSet tags = new TagSet();

    StatsdParser(ParseSettings settings) {
        this.settings = settings;
        this.timer = settings.statsdTimerFunctions;
    }

    /** True when a line is a DogStatsD event ({@code _e{}) or service check ({@code _sc|}). */
    static boolean isDogStatsdEventOrCheck(byte[] data, int from, int to) {
        return to - from >= 3
                && data[from] == '_'
                && ((data[from + 1] == 'e' && data[from + 2] == '{')
                        || (to - from >= 4
                                && data[from + 1] == 's'
                                && data[from + 2] == 'c'
                                && data[from + 3] == '|'));
    }

    /** True when a line looks like StatsD: a ':' and a '|' before any space. */
    static boolean looksLikeStatsd(byte[] data, int from, int to) {
        boolean colon = false;
        for (int i = from; i < to; i++) {
            byte b = data[i];
            if (b == ' ') {
                return false;
            }
            if (b == ':') {
                colon = true;
            } else if (b == '|') {
                return colon;
            }
        }
        return false;
    }

    boolean parse(DatagramContext ctx, int from, int to, ParseOutput out) {
        if (isDogStatsdEventOrCheck(ctx.data, from, to)) {
            out.deadLetter(
                    ctx.deadLetter(
                            DeadLetter.UNSUPPORTED,
                            ctx.data[from + 1] == 'e'
                                    ? "a DogStatsD event: the job aggregates metrics, not events"
                                    : "a DogStatsD service check: the job aggregates metrics, not"
                                            + " checks",
                            from,
                            to));
            return false;
        }
        String line = ctx.decode(from, to);
        if (line == null) {
            out.deadLetter(ctx.deadLetter(DeadLetter.MALFORMED, "not valid UTF-8", from, to));
            return false;
        }
        int colon = line.indexOf(':');
        int pipe = colon < 0 ? -1 : line.indexOf('|', colon + 1);
        if (colon < 0 || pipe < 0) {
            out.deadLetter(
                    ctx.deadLetter(DeadLetter.MALFORMED, "StatsD needs name:value|type", from, to));
            return false;
        }
        String name = line.substring(0, colon).trim();
        if (name.isEmpty()) {
            out.deadLetter(
                    ctx.deadLetter(
                            DeadLetter.MISSING_METRIC, "StatsD metric name is empty", from, to));
            return false;
        }
        int typeEnd = line.indexOf('|', pipe + 1);
        if (typeEnd < 0) {
            typeEnd = line.length();
        }
        String type = line.substring(pipe + 1, typeEnd);
        MetricFunction[] functions;
        switch (type) {
            case "c":
                functions = COUNTER;
                break;
            case "g":
                functions = GAUGE;
                break;
            case "ms":
            case "h":
            case "d":
                functions = timer;
                break;
            case "s":
                functions = SET;
                break;
            default:
                out.deadLetter(
                        ctx.deadLetter(
                                DeadLetter.MALFORMED,
                                "unknown StatsD type '" + type + "'; use c, g, ms, h, d or s",
                                from,
                                to));
                return false;
        }

        double rate = 1.0;
        long timestamp = ctx.receivedAt;
        boolean timed = false;
        tags.clear();
        int i = typeEnd;
        while (i < line.length()) {
            int next = line.indexOf('|', i + 1);
            if (next < 0) {
                next = line.length();
            }
            if (i + 1 < next) {
                char kind = line.charAt(i + 1);
                if (kind == '@') {
                    rate = Numbers.parseDecimal(line, i + 2, next);
                    if (!(rate > 0 && rate <= 1)) {
                        out.deadLetter(
                                ctx.deadLetter(
                                        DeadLetter.INVALID_VALUE,
                                        "sample rate '"
                                                + line.substring(i + 2, next)
                                                + "' must be a number above 0 and at most 1",
                                        from,
                                        to));
                        return false;
                    }
                } else if (kind == '#') {
                    readTags(line, i + 2, next);
                } else if (kind == 'T') {
                    long seconds = Numbers.parseLong(line, i + 2, next);
                    if (seconds == Long.MIN_VALUE) {
                        out.deadLetter(
                                ctx.deadLetter(
                                        DeadLetter.MALFORMED,
                                        "timestamp '"
                                                + line.substring(i + 2, next)
                                                + "' is not an integer",
                                        from,
                                        to));
                        return false;
                    }
                    timestamp = EventTime.fromEpochNumber(seconds);
                    timed = true;
                }
                // Other DogStatsD sections (container id, ...) carry nothing to aggregate.
            }
            i = next;
        }

        double value;
        if (functions == SET) {
            value = setMember(line, colon + 1, pipe);
        } else {
            value = Numbers.parseDecimal(line, colon + 1, pipe);
            if (!Double.isFinite(value)) {
                out.deadLetter(
                        ctx.deadLetter(
                                DeadLetter.INVALID_VALUE,
                                "value '" + line.substring(colon + 1, pipe) + "' is not a number",
                                from,
                                to));
                return false;
            }
            if (functions == COUNTER) {
                value = value * (1 / rate); // as StatsD: 3|c|@0.1 is 30, not 29.999999999999996
            }
        }
        byte gauge = TelemetryRecord.NOT_A_GAUGE;
        if (functions == GAUGE) {
            char sign = line.charAt(colon + 1);
            gauge =
                    sign == '+' || sign == '-'
                            ? TelemetryRecord.GAUGE_CHANGE
                            : TelemetryRecord.GAUGE_SET;
        }
        // A sampled timer sample stands for 1/rate events in count; the other statistics are
        // over the samples themselves, as in StatsD.
        double weight = functions == timer ? 1 / rate : 1;
        if (timed) {
            if (!ctx.timeInRange(timestamp, settings.maxFutureSkewMillis, from, to, out)) {
                return false;
            }
        }

        String source = tags.takeSource(settings.sourceFields, ctx);
        String tagsJson = tags.toJson();
        for (MetricFunction f : functions) {
            TelemetryRecord record =
                    new TelemetryRecord(
                            name, source, tagsJson, f, value, timestamp, ctx.receivedAt);
            record.weight = weight;
            record.gauge = gauge;
            out.record(record);
        }
        return true;
    }

    private void readTags(String line, int from, int to) {
        int i = from;
        while (i < to) {
            int comma = line.indexOf(',', i);
            if (comma < 0 || comma > to) {
                comma = to;
            }
            if (comma > i) {
                int colon = line.indexOf(':', i);
                if (colon >= 0 && colon < comma) {
                    tags.put(line.substring(i, colon), line.substring(colon + 1, comma));
                } else {
                    tags.put(line.substring(i, comma), "");
                }
            }
            i = comma + 1;
        }
    }

    /**
     * A set member as a number to count distinct: numbers as themselves, other text as a 53-bit
     * FNV-1a hash (exact in a double; collisions are negligible for any realistic set).
     */
    private static double setMember(String line, int from, int to) {
        double number = Numbers.parseDecimal(line, from, to);
        if (Double.isFinite(number)) {
            return number;
        }
        long hash = 0xcbf29ce484222325L;
        for (int i = from; i < to; i++) {
            hash ^= line.charAt(i);
            hash *= 0x100000001b3L;
        }
        return (double) (hash >>> 11);
    }
}
