package io.telemetry.aggregator.udp.enumerator;

/**
 * Checkpointed state of the {@link UdpSplitEnumerator}. The enumerator hands every reader a fresh
 * split when it asks, so there is nothing to remember; the class exists so that a later version can
 * add state without breaking savepoints.
 */
public final class UdpEnumeratorState {

    public static final UdpEnumeratorState EMPTY = new UdpEnumeratorState();

    private UdpEnumeratorState() {}
}
