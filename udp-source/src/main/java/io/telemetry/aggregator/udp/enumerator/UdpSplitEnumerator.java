package io.telemetry.aggregator.udp.enumerator;

import io.telemetry.aggregator.udp.split.UdpSplit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.annotation.Nullable;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives every reader that asks its own {@link UdpSplit}: one socket per parallel reader, all bound
 * to the same port, each with its own journal, named after the source instance and the subtask.
 *
 * <p>A split a failed reader hands back (one assigned after the last completed checkpoint, so in no
 * reader's checkpointed state) is kept and assigned again to the reader of its subtask when it
 * asks, so that its journal is replayed; the enumerator's checkpoint holds such splits.
 */
public final class UdpSplitEnumerator implements SplitEnumerator<UdpSplit, UdpEnumeratorState> {

    private static final Logger LOG = LoggerFactory.getLogger(UdpSplitEnumerator.class);

    private final SplitEnumeratorContext<UdpSplit> context;
    private final String sourceId;

    /** Splits handed back and not yet assigned again, by subtask. */
    private final Map<Integer, List<UdpSplit>> returned = new TreeMap<>();

    public UdpSplitEnumerator(
            SplitEnumeratorContext<UdpSplit> context, String sourceId, UdpEnumeratorState state) {
        this.context = context;
        this.sourceId = sourceId;
        for (UdpSplit split : state.returnedSplits()) {
            returned.computeIfAbsent(split.getSubtaskId(), s -> new ArrayList<>()).add(split);
        }
    }

    @Override
    public void start() {}

    @Override
    public void handleSplitRequest(int subtaskId, @Nullable String requesterHostname) {
        List<UdpSplit> splits = returned.remove(subtaskId);
        if (splits == null || splits.isEmpty()) {
            splits = List.of(new UdpSplit(subtaskId, sourceId + "-udp-" + subtaskId));
        }
        LOG.info("Assigning {} to reader {}", splits, subtaskId);
        for (UdpSplit split : splits) {
            context.assignSplit(split, subtaskId);
        }
    }

    @Override
    public void addSplitsBack(List<UdpSplit> splits, int subtaskId) {
        if (splits.isEmpty()) {
            return;
        }
        LOG.info("Reader {} handed back {}; it gets them again when it asks", subtaskId, splits);
        returned.computeIfAbsent(subtaskId, s -> new ArrayList<>()).addAll(splits);
    }

    @Override
    public void addReader(int subtaskId) {}

    @Override
    public UdpEnumeratorState snapshotState(long checkpointId) {
        List<UdpSplit> splits = new ArrayList<>();
        returned.values().forEach(splits::addAll);
        return new UdpEnumeratorState(splits);
    }

    @Override
    public void close() {}
}
