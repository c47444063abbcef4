package io.telemetry.aggregator.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Compares the job's aggregates (lines {@code <epoch ms> <JSON>} as the benchmark's logging writes
 * them) with what the load generator sent: every expected series and window present with the same
 * value and count, nothing else under the run's prefix. For StatsD without timestamps the job times
 * records on arrival, so there each series' total over all its windows is compared.
 */
public final class AggregateCheck {

    private static final ObjectMapper JSON = new ObjectMapper();

    public int expected;
    public int matched;
    public int missing;
    public int wrong;
    public int unexpected;
    public final List<String> examples = new ArrayList<>();

    /** Window end and sink time (epoch ms) of each aggregate's first emission. */
    public final List<long[]> emissions = new ArrayList<>();

    public boolean exact() {
        return expected > 0 && matched == expected && wrong == 0 && missing == 0 && unexpected == 0;
    }

    /** Reads the aggregates of metrics or sources starting with {@code prefix} and compares. */
    public static AggregateCheck compare(
            Path aggregates, Map<String, LoadGenerator.Expected> expected, String prefix)
            throws IOException {
        AggregateCheck check = new AggregateCheck();
        Map<String, double[]> actual = new HashMap<>(); // key -> {value, count}
        Map<String, double[]> totals = new HashMap<>();
        if (Files.exists(aggregates)) {
            try (BufferedReader r = Files.newBufferedReader(aggregates, StandardCharsets.UTF_8)) {
                String line;
                while ((line = r.readLine()) != null) {
                    int space = line.indexOf(' ');
                    if (space < 0 || !line.contains(prefix)) {
                        continue;
                    }
                    long sinkTime = Long.parseLong(line.substring(0, space));
                    JsonNode a = JSON.readTree(line.substring(space + 1));
                    String metric = a.path("metric").asText();
                    String source = a.path("source").asText();
                    if (!metric.startsWith(prefix) && !source.startsWith(prefix)) {
                        continue;
                    }
                    long start = Instant.parse(a.path("window_start").asText()).toEpochMilli();
                    long end = Instant.parse(a.path("window_end").asText()).toEpochMilli();
                    String series =
                            metric
                                    + "|"
                                    + source
                                    + "|"
                                    + a.path("tags").toString()
                                    + "|"
                                    + a.path("function").asText();
                    double value = a.path("value").asDouble();
                    long count = a.path("count").asLong();
                    double[] previous =
                            actual.put(series + "|" + start, new double[] {value, count});
                    double[] total = totals.computeIfAbsent(series + "|-1", k -> new double[2]);
                    if (previous
                            != null) { // emitted again (allowed lateness): the newer result counts
                        total[0] -= previous[0];
                        total[1] -= previous[1];
                    } else {
                        check.emissions.add(new long[] {end, sinkTime});
                    }
                    total[0] += value;
                    total[1] += count;
                }
            }
        }
        int untimedSeen = 0;
        for (LoadGenerator.Expected e : expected.values()) {
            check.expected++;
            double[] got = e.windowStart < 0 ? totals.get(e.key()) : actual.get(e.key());
            if (e.windowStart < 0) {
                untimedSeen++;
            }
            if (got == null) {
                check.missing++;
                check.example("missing " + e);
            } else if (got[0] != e.value() || got[1] != e.count()) {
                check.wrong++;
                check.example(
                        "wrong "
                                + e.key()
                                + ": expected "
                                + e.value()
                                + " x"
                                + e.count()
                                + ", got "
                                + got[0]
                                + " x"
                                + (long) got[1]);
            } else {
                check.matched++;
            }
        }
        Map<String, double[]> produced = untimedSeen > 0 ? totals : actual;
        for (String key : produced.keySet()) {
            if (!expected.containsKey(key)) {
                check.unexpected++;
                check.example("unexpected " + key);
            }
        }
        return check;
    }

    private void example(String text) {
        if (examples.size() < 5) {
            examples.add(text);
        }
    }

    /**
     * The q-quantile (0..1) of the time from the moment the watermark could pass a window's end
     * (its end plus the out-of-orderness, for senders on this machine's clock) to the aggregate's
     * write, over windows that closed while traffic flowed (before {@code until}); -1 without any.
     */
    public long latencyQuantile(double q, long outOfOrderness, long until) {
        List<Long> sorted = new ArrayList<>();
        for (long[] e : emissions) {
            if (e[0] + outOfOrderness < until) {
                sorted.add(e[1] - e[0] - outOfOrderness);
            }
        }
        if (sorted.isEmpty()) {
            return -1;
        }
        sorted.sort(null);
        return sorted.get(
                (int) Math.max(0, Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1)));
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "%s: %d of %d expected aggregates exact, %d missing, %d wrong, %d unexpected%s",
                exact() ? "exact" : "NOT exact",
                matched,
                expected,
                missing,
                wrong,
                unexpected,
                examples.isEmpty() ? "" : " (" + String.join("; ", examples) + ")");
    }
}
