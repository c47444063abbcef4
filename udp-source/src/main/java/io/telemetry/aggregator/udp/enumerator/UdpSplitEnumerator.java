package io.telemetry.aggregator.udp.enumerator;

import io.telemetry.aggregator.udp.split.UdpSplit;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives every reader that asks its own {@link UdpSplit}: one socket per parallel reader, all bound
 * to the same port.
 */
public final class UdpSplitEnumerator implements SplitEnumerator<UdpSplit, UdpEnumeratorState> {

    private static final Logger LOG = LoggerFactory.getLogger(UdpSplitEnumerator.class);

    private final SplitEnumeratorContext<UdpSplit> context;

    public UdpSplitEnumerator(SplitEnumeratorContext<UdpSplit> context) {
        this.context = context;
    }

    @Override
    public void start() {}

    @Override
    public void handleSplitRequest(int subtaskId, @Nullable String requesterHostname) {
        LOG.info("Assigning the UDP socket split to reader {}", subtaskId);
        context.assignSplit(new UdpSplit(subtaskId), subtaskId);
    }

    @Override
    public void addSplitsBack(List<UdpSplit> splits, int subtaskId) {
        // A restarted reader asks for its split again, so returned splits need no bookkeeping.
        LOG.debug("Reader {} returned {}; it gets a new one when it asks", subtaskId, splits);
    }

    @Override
    public void addReader(int subtaskId) {}

    @Override
    public UdpEnumeratorState snapshotState(long checkpointId) {
        return UdpEnumeratorState.EMPTY;
    }

    @Override
    public void close() {}
}
