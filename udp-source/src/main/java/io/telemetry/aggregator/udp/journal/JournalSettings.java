package io.telemetry.aggregator.udp.journal;

import java.io.Serializable;
import java.time.Duration;
import java.util.Locale;

/**
 * How the UDP readers keep their write-ahead journals (the {@code source.udp.journal.*} settings).
 */
public final class JournalSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    /** When a journal's writes are forced from the page cache to the disk. */
    public enum Sync {
        /** Never forced: survives a killed process, not the loss of the machine. */
        PAGE_CACHE,
        /** Forced when a checkpoint is taken, and at every segment roll-over. */
        CHECKPOINT,
        /** Forced every {@code source.udp.journal.sync-interval} (group commit). */
        INTERVAL;

        /** The setting's spelling ({@code page-cache}), which Flink matches values against. */
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** What a reader does when the journal of a restored split is not there. */
    public enum Missing {
        /** Stops the job with one line naming the directory. */
        FAIL,
        /** Starts the split with an empty journal and counts it in {@code journal_missing}. */
        START_EMPTY;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final String directory;
    private final long maxBytes;
    private final long segmentBytes;
    private final Sync sync;
    private final Duration syncInterval;
    private final Missing missing;
    private final Duration lockTimeout;

    public JournalSettings(
            String directory,
            long maxBytes,
            long segmentBytes,
            Sync sync,
            Duration syncInterval,
            Missing missing,
            Duration lockTimeout) {
        this.directory = directory;
        this.maxBytes = maxBytes;
        this.segmentBytes = segmentBytes;
        this.sync = sync;
        this.syncInterval = syncInterval;
        this.missing = missing;
        this.lockTimeout = lockTimeout;
    }

    public String directory() {
        return directory;
    }

    public long maxBytes() {
        return maxBytes;
    }

    public long segmentBytes() {
        return segmentBytes;
    }

    public Sync sync() {
        return sync;
    }

    public Duration syncInterval() {
        return syncInterval;
    }

    public Missing missing() {
        return missing;
    }

    /** How long a reader waits for the lock of a journal another reader holds. */
    public Duration lockTimeout() {
        return lockTimeout;
    }

    @Override
    public String toString() {
        return "journal in "
                + directory
                + " (at most "
                + maxBytes
                + " bytes, segments of "
                + segmentBytes
                + ", sync "
                + sync
                + ")";
    }
}
