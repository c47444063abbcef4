package io.telemetry.aggregator.udp.reader;

import io.telemetry.aggregator.udp.SenderAllowlist;
import io.telemetry.aggregator.udp.UdpDatagram;
import io.telemetry.aggregator.udp.journal.JournalSettings;
import io.telemetry.aggregator.udp.split.UdpSplit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import javax.annotation.Nullable;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UDP source's reader: asks the enumerator for its socket split at start, and hands the
 * datagrams its receiver reads to the task thread.
 *
 * <p>With the journal on, a checkpoint holds each split at the journal position after the last
 * datagram emitted, with the datagrams from there to the journal's end (see {@link UdpSplit}); a
 * completed checkpoint deletes the journal's segments before its position. Without the journal it
 * checkpoints no splits: after a restore each reader asks for its socket again.
 */
public final class UdpSourceReader
        extends SingleThreadMultiplexSourceReaderBase<
                JournaledDatagram, UdpDatagram, UdpSplit, UdpSplitState> {

    private static final Logger LOG = LoggerFactory.getLogger(UdpSourceReader.class);

    @Nullable private final JournalSettings journalSettings;
    private final String sourceId;
    private final UdpReaderMetrics metrics;
    private final Map<String, SplitJournal> journals;

    /** Each pending checkpoint's positions, by split. */
    private final TreeMap<Long, Map<String, Long>> checkpointPositions = new TreeMap<>();

    public UdpSourceReader(
            String bindAddress,
            int port,
            int socketBufferBytes,
            int socketsPerReader,
            int maxBatch,
            long batchLingerNanos,
            SenderAllowlist allowedSenders,
            @Nullable JournalSettings journalSettings,
            String sourceId,
            UdpReaderMetrics metrics,
            Configuration config,
            SourceReaderContext context) {
        this(
                bindAddress,
                port,
                socketBufferBytes,
                socketsPerReader,
                maxBatch,
                batchLingerNanos,
                allowedSenders,
                journalSettings,
                sourceId,
                metrics,
                config,
                context,
                new ConcurrentHashMap<>());
    }

    private UdpSourceReader(
            String bindAddress,
            int port,
            int socketBufferBytes,
            int socketsPerReader,
            int maxBatch,
            long batchLingerNanos,
            SenderAllowlist allowedSenders,
            @Nullable JournalSettings journalSettings,
            String sourceId,
            UdpReaderMetrics metrics,
            Configuration config,
            SourceReaderContext context,
            Map<String, SplitJournal> journals) {
        super(
                () ->
                        new UdpSplitReader(
                                bindAddress,
                                port,
                                socketBufferBytes,
                                socketsPerReader,
                                maxBatch,
                                batchLingerNanos,
                                allowedSenders,
                                journalSettings,
                                journals,
                                metrics),
                new UdpRecordEmitter(),
                config,
                context);
        this.journalSettings = journalSettings;
        this.sourceId = sourceId;
        this.metrics = metrics;
        this.journals = journals;
    }

    @Override
    public void start() {
        super.start();
        if (getNumberOfCurrentlyAssignedSplits() == 0) {
            context.sendSplitRequest();
        }
    }

    @Override
    protected UdpSplitState initializedState(UdpSplit split) {
        if (journalSettings == null) {
            if (split.getPosition() != UdpSplit.NO_POSITION) {
                LOG.warn(
                        "UDP split {} was checkpointed with a journal, but source.udp.journal.enabled is false:"
                                + " what it had read after the checkpoint is not replayed",
                        split.splitId());
            }
            return new UdpSplitState(split, UdpSplit.NO_POSITION);
        }
        try {
            SplitJournal journal = SplitJournal.open(split, journalSettings, sourceId, metrics);
            journals.put(split.splitId(), journal);
            LOG.info(
                    "UDP split {}: journal {} in {}, replaying positions {} to {}",
                    split.splitId(),
                    journal.name,
                    journal.journal.directory(),
                    journal.firstPosition,
                    journal.replayEnd);
            return new UdpSplitState(split, journal.firstPosition);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot open the journal of UDP split "
                            + split.splitId()
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    @Override
    public List<UdpSplit> snapshotState(long checkpointId) {
        if (journalSettings == null) {
            return Collections.emptyList();
        }
        List<UdpSplit> splits = super.snapshotState(checkpointId);
        Map<String, Long> positions = new HashMap<>();
        for (UdpSplit split : splits) {
            positions.put(split.splitId(), split.getPosition());
        }
        checkpointPositions.put(checkpointId, positions);
        return splits;
    }

    @Override
    protected UdpSplit toSplitType(String splitId, UdpSplitState state) {
        SplitJournal journal = journals.get(splitId);
        if (journal == null) {
            return state.split;
        }
        try {
            if (journalSettings.sync() == JournalSettings.Sync.CHECKPOINT) {
                journal.journal.forceFlushed();
            }
            return state.split.checkpointed(
                    journal.name, state.position, sourceId, journal.framesFrom(state.position));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot checkpoint the journal of UDP split " + splitId + ": " + e.getMessage(),
                    e);
        }
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        Map<String, Long> positions = checkpointPositions.get(checkpointId);
        checkpointPositions.headMap(checkpointId, true).clear();
        if (positions == null) {
            return;
        }
        for (Map.Entry<String, Long> position : positions.entrySet()) {
            SplitJournal journal = journals.get(position.getKey());
            if (journal != null) {
                journal.journal.truncateBefore(position.getValue());
            }
        }
    }

    @Override
    protected void onSplitFinished(Map<String, UdpSplitState> finishedSplitIds) {}

    @Override
    public void close() throws Exception {
        Exception failure = null;
        try {
            super.close();
        } catch (Exception e) {
            failure = e;
        }
        for (SplitJournal journal : new ArrayList<>(journals.values())) {
            try {
                journal.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        journals.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
