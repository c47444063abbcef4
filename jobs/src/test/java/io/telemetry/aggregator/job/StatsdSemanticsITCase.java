package io.telemetry.aggregator.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.telemetry.aggregator.operators.DeadLetter;
import io.telemetry.aggregator.operators.WindowAggregate;
import io.telemetry.aggregator.operators.WindowOptions;
import io.telemetry.aggregator.services.Await;
import io.telemetry.aggregator.services.EtsyStatsdServer;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job against the real Etsy StatsD: both get the same generated StatsD lines (counters with
 * sample rates, absolute and signed gauges over several flushes, sampled timers, sets, DogStatsD
 * tags), and every value StatsD flushes is the job's aggregate of the same series and window:
 * exactly, and percentiles within the sketch's 1% of StatsD's {@code upper_N} (nearest rank).
 *
 * <p>StatsD flushes every {@link #PERIOD} from when it started; the job's windows of the same
 * length are aligned to the epoch. Each round's lines are sent in the middle of the longer of the
 * two gaps between a flush and a window boundary, so that they fall into one flush and one window.
 */
class StatsdSemanticsITCase {

    static final long PERIOD = 4_000;
    static final int ROUNDS = 6;

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .build());

    @TempDir Path dir;

    /** What a round sent: StatsD key → the kind of series (c, g, ms, s). */
    private static final class Round {
        final Map<String, String> keys = new LinkedHashMap<>();
        final List<String> lines = new ArrayList<>();
        long window;
        JsonNode flush;
    }

    @Test
    void everyValueStatsdFlushesIsTheJobsAggregateOfThatWindow() throws Exception {
        Configuration config = new Configuration();
        config.set(WindowOptions.WINDOW_SIZE, Duration.ofMillis(PERIOD));
        config.set(WindowOptions.OUT_OF_ORDERNESS, Duration.ofMillis(500));
        config.set(WindowOptions.IDLE_TIMEOUT, Duration.ofSeconds(1));
        try (EtsyStatsdServer statsd =
                        EtsyStatsdServer.start(
                                dir.resolve("statsd"), Duration.ofMillis(PERIOD), 50, 90, 95, 99);
                CollectingJob job = CollectingJob.start(config, 1, "statsd-semantics");
                DatagramChannel sender = DatagramChannel.open()) {
            sender.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = job.port;
            CollectingSink<WindowAggregate> aggregates = job.aggregates;
            CollectingSink<DeadLetter> deadLetters = job.deadLetters;
            List<InetSocketAddress> targets =
                    List.of(
                            new InetSocketAddress("127.0.0.1", port),
                            new InetSocketAddress("127.0.0.1", statsd.port()));

            SplittableRandom random = new SplittableRandom(20261201);
            long flushSeenAt = awaitFlush(statsd, 1);
            List<Round> rounds = new ArrayList<>();
            for (int k = 0; k < ROUNDS; k++) {
                Round round = generate(k, random);
                long sentAt = sendBetweenBoundaries(sender, targets, round, flushSeenAt);
                round.window = sentAt - Math.floorMod(sentAt, PERIOD);
                flushSeenAt = awaitFlush(statsd, k + 2);
                round.flush = statsd.flushes().get(k + 1);
                rounds.add(round);
            }

            Map<String, Double> expected = new LinkedHashMap<>();
            for (Round round : rounds) {
                expected.putAll(statsdValues(round));
            }
            Await.until(
                    () -> byWindowAndSeries(aggregates.received()).size() >= expected.size(),
                    Duration.ofSeconds(60),
                    () ->
                            byWindowAndSeries(aggregates.received()).size()
                                    + " of "
                                    + expected.size()
                                    + " aggregates");
            Map<String, Double> actual = byWindowAndSeries(aggregates.received());
            assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
            for (Map.Entry<String, Double> e : expected.entrySet()) {
                double statsdValue = e.getValue();
                double jobValue = actual.get(e.getKey());
                boolean percentile = e.getKey().matches(".* p\\d\\d$");
                assertThat(jobValue)
                        .as(e.getKey())
                        .isCloseTo(
                                statsdValue,
                                within(
                                        percentile
                                                ? Math.abs(statsdValue) * 0.01
                                                : 1e-9 * Math.max(1, Math.abs(statsdValue))));
            }
            assertThat(deadLetters.received()).isEmpty();
        }
    }

    /** A round of StatsD lines; gauges g1 and g2 carry over the rounds in which they are absent. */
    private static Round generate(int k, SplittableRandom random) {
        Round round = new Round();
        double[] rates = {1, 0.5, 0.25, 0.1};
        String prod = "|#env:prod,host:h1";
        for (int i = 0, n = 1 + random.nextInt(8); i < n; i++) {
            double rate = rates[random.nextInt(rates.length)];
            add(round, "c1", "c", (1 + random.nextInt(9)) + "|c" + rateField(rate));
        }
        if (k % 2 == 0) {
            add(round, "c2;env=prod;host=h1", "c", (1 + random.nextInt(5)) + "|c" + prod);
        }
        // g1: a value in the first round, then changes and now and then a new value.
        if (k == 0) {
            add(round, "g1", "g", "10|g");
        }
        for (int i = 0, n = random.nextInt(4); i < n; i++) {
            add(round, "g1", "g", signed(random) + "|g");
        }
        if (k == 3) {
            add(round, "g1", "g", (random.nextInt(50)) + "|g");
            add(round, "g1", "g", signed(random) + "|g");
        }
        if (k == 0 && !round.keys.containsKey("g1")) {
            throw new AssertionError("g1 has a line in round 0");
        }
        // g2: only changes, and none in rounds 1 and 4.
        if (k != 1 && k != 4) {
            for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
                add(round, "g2;env=prod;host=h1", "g", signed(random) + "|g" + prod);
            }
        }
        for (int i = 0, n = 1 + random.nextInt(40); i < n; i++) {
            double rate = rates[random.nextInt(rates.length)];
            add(round, "t1", "ms", (1 + random.nextInt(1_000)) + "|ms" + rateField(rate));
        }
        if (k % 3 != 2) {
            for (int i = 0, n = 1 + random.nextInt(12); i < n; i++) {
                add(round, "t2;env=prod;host=h1", "ms", random.nextInt(200) + "|ms|@0.5" + prod);
            }
        }
        for (int i = 0, n = 1 + random.nextInt(15); i < n; i++) {
            add(round, "s1", "s", (char) ('a' + random.nextInt(8)) + "|s");
        }
        return round;
    }

    private static String rateField(double rate) {
        return rate == 1 ? "" : "|@" + rate;
    }

    private static String signed(SplittableRandom random) {
        int change = 1 + random.nextInt(9);
        return random.nextBoolean() ? "+" + change : "-" + change;
    }

    private static void add(Round round, String key, String type, String valueAndRest) {
        round.keys.put(key, type);
        int semicolon = key.indexOf(';');
        String name = semicolon < 0 ? key : key.substring(0, semicolon);
        round.lines.add(name + ":" + valueAndRest);
    }

    /**
     * Sends the round to the job and to StatsD in the middle of the longer gap between a window
     * boundary (epoch-aligned) and StatsD's next flush (one period after the last one seen).
     *
     * @return when the sending started
     */
    private static long sendBetweenBoundaries(
            DatagramChannel sender, List<InetSocketAddress> targets, Round round, long flushSeenAt)
            throws Exception {
        long phase = Math.floorMod(flushSeenAt, PERIOD);
        long offset = phase >= PERIOD / 2 ? phase / 2 : (phase + PERIOD) / 2;
        long now = System.currentTimeMillis();
        long at = now - Math.floorMod(now, PERIOD) + offset;
        while (at < now + 50) {
            at += PERIOD;
        }
        Thread.sleep(at - now);
        long start = System.currentTimeMillis();
        List<String> datagrams = new ArrayList<>();
        for (int i = 0; i < round.lines.size(); i += 10) {
            datagrams.add(
                    String.join(
                            "\n", round.lines.subList(i, Math.min(round.lines.size(), i + 10))));
        }
        for (String datagram : datagrams) {
            for (InetSocketAddress target : targets) {
                sender.send(ByteBuffer.wrap(datagram.getBytes(StandardCharsets.UTF_8)), target);
            }
        }
        long took = System.currentTimeMillis() - start;
        // The gap's middle is at least a quarter period from both boundaries.
        assertThat(took).as("ms to send a round").isLessThan(PERIOD / 4 - 200);
        return start;
    }

    /**
     * Waits for StatsD's flush number {@code n} (from 1); returns when it was seen. Polled every 10
     * ms rather than with {@link Await}'s 100 ms: the moment it is seen places StatsD's flush
     * clock.
     */
    private static long awaitFlush(EtsyStatsdServer statsd, int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMillis(3 * PERIOD).toNanos();
        while (statsd.flushes().size() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("StatsD flush " + n + " did not come");
            }
            Thread.sleep(10);
        }
        return System.currentTimeMillis();
    }

    /** The job's aggregates as "window series function" → value. */
    private static Map<String, Double> byWindowAndSeries(List<WindowAggregate> aggregates) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (WindowAggregate a : aggregates) {
            String key =
                    a.windowStart
                            + " "
                            + a.metric
                            + " "
                            + a.source
                            + " "
                            + a.tags
                            + " "
                            + a.function;
            out.put(key, a.value);
        }
        return out;
    }

    /**
     * What StatsD flushed for the round's series, under the job's key of the same series and
     * window: the source is the host tag (the sender's address without one), the other tags stay.
     */
    private static Map<String, Double> statsdValues(Round round) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : round.keys.entrySet()) {
            String key = e.getKey();
            String series = jobSeries(key);
            String prefix = round.window + " " + series + " ";
            JsonNode flush = round.flush;
            switch (e.getValue()) {
                case "c":
                    out.put(prefix + "sum", number(flush.path("counters"), key));
                    break;
                case "g":
                    out.put(prefix + "last", number(flush.path("gauges"), key));
                    break;
                case "s":
                    out.put(
                            prefix + "count_distinct",
                            (double) flush.path("sets").path(key).size());
                    break;
                default:
                    JsonNode timer = flush.path("timer_data").path(key);
                    out.put(prefix + "count", number(timer, "count"));
                    out.put(prefix + "sum", number(timer, "sum"));
                    out.put(prefix + "avg", number(timer, "mean"));
                    out.put(prefix + "min", number(timer, "lower"));
                    out.put(prefix + "max", number(timer, "upper"));
                    out.put(prefix + "stddev", number(timer, "std"));
                    for (int p : new int[] {50, 90, 95, 99}) {
                        out.put(prefix + "p" + p, number(timer, "upper_" + p));
                    }
            }
        }
        return out;
    }

    private static double number(JsonNode parent, String field) {
        JsonNode value = parent.path(field);
        if (!value.isNumber()) {
            throw new AssertionError("StatsD flushed no number " + field + " in " + parent);
        }
        return value.asDouble();
    }

    /** "name;env=prod;host=h1" → "name h1 {"env":"prod"}"; "name" → "name 127.0.0.1 {}". */
    private static String jobSeries(String statsdKey) {
        String[] parts = statsdKey.split(";");
        String source = "127.0.0.1";
        Set<String> tags = new LinkedHashSet<>();
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            if (kv[0].equals("host")) {
                source = kv[1];
            } else {
                tags.add("\"" + kv[0] + "\":\"" + kv[1] + "\"");
            }
        }
        return parts[0] + " " + source + " {" + String.join(",", tags) + "}";
    }
}
