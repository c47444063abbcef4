package io.telemetry.aggregator.udp.reader;

import io.telemetry.aggregator.udp.UdpDatagram;
import io.telemetry.aggregator.udp.journal.DatagramJournal;
import io.telemetry.aggregator.udp.journal.JournalLockedException;
import io.telemetry.aggregator.udp.journal.JournalReader;
import io.telemetry.aggregator.udp.journal.JournalSettings;
import io.telemetry.aggregator.udp.split.UdpSplit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal of one split as its reader finds it at start: opened (a torn tail cut off), checked
 * against the split's checkpointed position, or made anew from the datagrams the checkpoint
 * carried. Opened in the task thread when the split is added; the reader's receiver appends to it,
 * its fetcher replays from it, the task thread checkpoints and truncates it.
 */
final class SplitJournal implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SplitJournal.class);

    final String name;
    final DatagramJournal journal;

    /** The position of the first datagram the reader hands on. */
    final long firstPosition;

    /** The journal's end when it was opened: what lies before was read by an earlier reader. */
    final long replayEnd;

    private SplitJournal(String name, DatagramJournal journal, long firstPosition) {
        this.name = name;
        this.journal = journal;
        this.firstPosition = firstPosition;
        this.replayEnd = journal.flushedEnd();
    }

    static SplitJournal open(
            UdpSplit split, JournalSettings settings, String sourceId, UdpReaderMetrics metrics)
            throws IOException {
        String name =
                split.getJournal() != null ? split.getJournal() : sourceId + "-" + split.splitId();
        Path dir = Paths.get(settings.directory(), name);
        long position = split.getPosition();
        boolean restored = position != UdpSplit.NO_POSITION;
        boolean ownCheckpoint = sourceId.equals(split.getCheckpointedBy());
        byte[] carried = split.getCarried();
        if (!Files.isDirectory(dir)) {
            if (restored && (ownCheckpoint || carried == null)) {
                // The job's own failover found no journal: what was read after the checkpoint is
                // gone.
                missing(
                        split,
                        settings,
                        metrics,
                        "the journal of UDP split "
                                + split.splitId()
                                + " is missing: "
                                + dir
                                + " does not exist (put source.udp.journal.dir on storage the restarted"
                                + " TaskManager sees, or set source.udp.journal.missing: start-empty to"
                                + " accept the loss)");
            }
            DatagramJournal journal =
                    openLocked(split, settings, sourceId, dir, restored ? position : 0);
            int appended = appendCarried(journal, carried);
            if (restored && !ownCheckpoint && carried != null) {
                LOG.info(
                        "UDP split {}: no journal in {}; resuming from the {} datagram(s) its checkpoint carried",
                        split.splitId(),
                        dir,
                        appended);
            }
            return configured(new SplitJournal(name, journal, journal.start()), settings);
        }
        DatagramJournal journal = openLocked(split, settings, sourceId, dir, 0);
        if (journal.cutBytes() > 0) {
            metrics.cutTail(journal.cutBytes());
            LOG.warn(
                    "UDP split {}: cut {} byte(s) of a torn or corrupt last frame off the journal in {}",
                    split.splitId(),
                    journal.cutBytes(),
                    dir);
        }
        long first = restored ? position : journal.start();
        if (first < journal.start() || first > journal.flushedEnd()) {
            long start = journal.start();
            long end = journal.flushedEnd();
            try {
                missing(
                        split,
                        settings,
                        metrics,
                        "the journal of UDP split "
                                + split.splitId()
                                + " in "
                                + dir
                                + " holds positions "
                                + start
                                + " to "
                                + end
                                + ", not the checkpointed "
                                + position
                                + " (set source.udp.journal.missing: start-empty to accept the loss)");
            } catch (RuntimeException e) {
                journal.close();
                throw e;
            }
            first = Math.max(start, Math.min(first, end));
        }
        return configured(new SplitJournal(name, journal, first), settings);
    }

    /**
     * Opens the journal, waiting for its lock while another reader holds it (an earlier attempt
     * still closing, or a lost TaskManager's lock on network storage not yet expired).
     */
    private static DatagramJournal openLocked(
            UdpSplit split, JournalSettings settings, String sourceId, Path dir, long first)
            throws IOException {
        try {
            return DatagramJournal.open(
                    dir,
                    settings.maxBytes(),
                    settings.segmentBytes(),
                    first,
                    "job " + sourceId + " split " + split.splitId(),
                    settings.lockTimeout());
        } catch (JournalLockedException e) {
            // Two readers of one journal would both append to it: a restart would find the same.
            throw new SuppressRestartsException(
                    new IllegalStateException(
                            "UDP split " + split.splitId() + ": " + e.getMessage()));
        }
    }

    private static SplitJournal configured(SplitJournal journal, JournalSettings settings) {
        journal.journal.setSyncOnRoll(settings.sync() != JournalSettings.Sync.PAGE_CACHE);
        return journal;
    }

    private static void missing(
            UdpSplit split, JournalSettings settings, UdpReaderMetrics metrics, String problem) {
        if (settings.missing() == JournalSettings.Missing.FAIL) {
            // A restart would find the same: stop the job instead of restarting it in a loop.
            throw new SuppressRestartsException(new IllegalStateException(problem));
        }
        metrics.journalMissing();
        LOG.warn("Starting UDP split {} anyway: {}", split.splitId(), problem);
    }

    private static int appendCarried(DatagramJournal journal, byte[] carried) throws IOException {
        if (carried == null || carried.length == 0) {
            return 0;
        }
        int appended = 0;
        try (JournalReader frames = JournalReader.of(carried, journal.end())) {
            UdpDatagram d;
            while ((d = frames.next()) != null) {
                if (journal.append(d) < 0) {
                    throw new IOException(
                            "The datagrams the checkpoint carried do not fit into the journal in "
                                    + journal.directory());
                }
                appended++;
            }
        }
        journal.flush();
        return appended;
    }

    /**
     * The journal's frames from {@code position} to its flushed end, for a checkpoint to carry;
     * null when they are more than {@link UdpSplit#MAX_CARRIED_BYTES}.
     */
    byte[] framesFrom(long position) throws IOException {
        return journal.copyFrames(position, journal.flushedEnd(), UdpSplit.MAX_CARRIED_BYTES);
    }

    @Override
    public void close() throws IOException {
        journal.close();
    }
}
