package io.telemetry.aggregator.udp.reader;

import java.util.function.LongSupplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * The UDP reader's metrics: {@code datagrams_received}, {@code bytes_received}, {@code
 * datagrams_rejected} (from senders outside {@code source.udp.allowed-senders}; not counted as
 * received), {@code kernel_drops} (datagrams the kernel dropped on this reader's socket because its
 * receive buffer was full, as Linux reports in {@code /proc/net/udp}), and the journal's: {@code
 * journal_bytes} (on disk), {@code journal_backlog_bytes} (journaled, not yet handed to the task),
 * {@code journal_replayed_datagrams} (read by an earlier reader and replayed), {@code
 * journal_replay_duration_ms} (the latest replay), {@code journal_dropped_datagrams} (read but not
 * journaled: the journal was full or its disk failed), {@code journal_cut_bytes} (a torn or corrupt
 * tail cut off at start) and {@code journal_missing} (restored splits started without their
 * journal).
 */
public final class UdpReaderMetrics {

    private final MetricGroup group;
    private final Counter datagrams;
    private final Counter bytes;
    private final Counter rejected;
    private final Counter replayed;
    private final Counter dropped;
    private final Counter cut;
    private final Counter missing;
    private volatile long replayMillis;

    public UdpReaderMetrics(MetricGroup group) {
        this.group = group;
        this.datagrams = group.counter("datagrams_received");
        this.bytes = group.counter("bytes_received");
        this.rejected = group.counter("datagrams_rejected");
        this.replayed = group.counter("journal_replayed_datagrams");
        this.dropped = group.counter("journal_dropped_datagrams");
        this.cut = group.counter("journal_cut_bytes");
        this.missing = group.counter("journal_missing");
        group.gauge("journal_replay_duration_ms", (Gauge<Long>) () -> replayMillis);
    }

    void rejected() {
        rejected.inc();
    }

    void received(int length) {
        datagrams.inc();
        bytes.inc(length);
    }

    void replayed(long count) {
        replayed.inc(count);
    }

    void replayTook(long millis) {
        replayMillis = millis;
    }

    void dropped(long count) {
        dropped.inc(count);
    }

    long droppedCount() {
        return dropped.getCount();
    }

    void cutTail(long bytes) {
        cut.inc(bytes);
    }

    void journalMissing() {
        missing.inc();
    }

    void registerKernelDrops(LongSupplier drops) {
        group.gauge("kernel_drops", (Gauge<Long>) drops::getAsLong);
    }

    void registerJournal(LongSupplier bytesOnDisk, LongSupplier backlogBytes) {
        group.gauge("journal_bytes", (Gauge<Long>) bytesOnDisk::getAsLong);
        group.gauge("journal_backlog_bytes", (Gauge<Long>) backlogBytes::getAsLong);
    }
}
