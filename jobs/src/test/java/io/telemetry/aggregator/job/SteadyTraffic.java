package io.telemetry.aggregator.job;

import java.util.concurrent.locks.LockSupport;

/**
 * StatsD traffic at a steady rate: every datagram holds two records ({@code dash.hits:1|c} and
 * {@code dash.latency:5|ms}), every tenth one a malformed record as well. It remembers when each
 * datagram went out, so that rates over a time span can be compared.
 */
final class SteadyTraffic {

    final int rate;
    final long datagrams;
    final long malformed;
    private final long[] sentAt;
    private final long end;

    private SteadyTraffic(int rate, long[] sentAt, long end) {
        this.rate = rate;
        this.sentAt = sentAt;
        this.end = end;
        this.datagrams = sentAt.length;
        this.malformed = (sentAt.length + 9) / 10;
    }

    /**
     * Sends {@code rate} datagrams a second for {@code seconds} seconds to the port on loopback.
     */
    static SteadyTraffic send(int port, int rate, int seconds) {
        long[] sentAt = new long[rate * seconds];
        long interval = 1_000_000_000L / rate;
        try (UdpTestSender sender = new UdpTestSender(port)) {
            long start = System.nanoTime();
            for (int i = 0; i < sentAt.length; i++) {
                long due = start + i * interval;
                long wait;
                while ((wait = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                sender.send(
                        "dash.hits:1|c\ndash.latency:5|ms" + (i % 10 == 0 ? "\nnot a record" : ""));
                sentAt[i] = System.nanoTime();
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return new SteadyTraffic(rate, sentAt, System.nanoTime());
    }

    /** Datagrams sent in the last {@code seconds} before the traffic ended. */
    double datagramsInLast(double seconds) {
        long from = end - (long) (seconds * 1e9);
        long n = 0;
        for (long t : sentAt) {
            if (t >= from) {
                n++;
            }
        }
        return n;
    }

    /** Malformed records sent in the last {@code seconds} before the traffic ended. */
    double malformedInLast(double seconds) {
        long from = end - (long) (seconds * 1e9);
        long n = 0;
        for (int i = 0; i < sentAt.length; i += 10) {
            if (sentAt[i] >= from) {
                n++;
            }
        }
        return n;
    }
}
