package io.telemetry.aggregator.udp.enumerator;

import io.telemetry.aggregator.udp.split.UdpSplit;
import java.util.List;

/**
 * Checkpointed state of the {@link UdpSplitEnumerator}: the splits failed readers handed back that
 * are not assigned again yet.
 */
public final class UdpEnumeratorState {

    public static final UdpEnumeratorState EMPTY = new UdpEnumeratorState(List.of());

    private final List<UdpSplit> returnedSplits;

    public UdpEnumeratorState(List<UdpSplit> returnedSplits) {
        this.returnedSplits = List.copyOf(returnedSplits);
    }

    public List<UdpSplit> returnedSplits() {
        return returnedSplits;
    }
}
