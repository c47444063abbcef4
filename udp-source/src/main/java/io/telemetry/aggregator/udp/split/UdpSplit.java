package io.telemetry.aggregator.udp.split;

import java.util.Arrays;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.api.connector.source.SourceSplit;

/**
 * The socket of one reader and its write-ahead journal. Like a Kafka split carries its offset, a
 * checkpointed split carries the journal position of the first datagram its reader had not yet
 * emitted, so that a restored reader replays its journal from there.
 *
 * <p>A checkpointed split also carries the datagrams from that position to the end of the journal
 * at the time of the checkpoint (when they fit in {@link #MAX_CARRIED_BYTES}), as journal frames: a
 * job resumed from a savepoint on a machine without the journal loses nothing the savepoint covers.
 */
public final class UdpSplit implements SourceSplit {

    /** No position: the split was never checkpointed, so its whole journal is still to be read. */
    public static final long NO_POSITION = -1;

    /** The most journal bytes a checkpointed split carries. */
    public static final int MAX_CARRIED_BYTES = 16 << 20;

    private static final byte[] NONE = new byte[0];

    private final int subtaskId;
    @Nullable private final String journal;
    private final long position;
    @Nullable private final String checkpointedBy;
    @Nullable private final byte[] carried;

    /** A split without a journal of its own yet (a split of release 0.1.0). */
    public UdpSplit(int subtaskId) {
        this(subtaskId, null, NO_POSITION, null, NONE);
    }

    /** A new split of the journal named {@code journal}. */
    public UdpSplit(int subtaskId, String journal) {
        this(subtaskId, journal, NO_POSITION, null, NONE);
    }

    /**
     * @param journal the name of the split's journal directory; null for a split of 0.1.0
     * @param position the journal position of the first datagram not yet emitted, or {@link
     *     #NO_POSITION}
     * @param checkpointedBy the source instance whose checkpoint holds this split (see {@code
     *     UdpSource}), or null
     * @param carried journal frames from {@code position} to the journal's end when the checkpoint
     *     was taken; null when they were too many to carry
     */
    public UdpSplit(
            int subtaskId,
            @Nullable String journal,
            long position,
            @Nullable String checkpointedBy,
            @Nullable byte[] carried) {
        this.subtaskId = subtaskId;
        this.journal = journal;
        this.position = position;
        this.checkpointedBy = checkpointedBy;
        this.carried = carried;
    }

    public int getSubtaskId() {
        return subtaskId;
    }

    @Nullable
    public String getJournal() {
        return journal;
    }

    public long getPosition() {
        return position;
    }

    @Nullable
    public String getCheckpointedBy() {
        return checkpointedBy;
    }

    /**
     * Journal frames from {@link #getPosition()} to the journal's end at the checkpoint, or null
     * when the checkpoint does not carry them.
     */
    @Nullable
    public byte[] getCarried() {
        return carried;
    }

    /** This split as a checkpoint holds it. */
    public UdpSplit checkpointed(
            String journal, long position, String by, @Nullable byte[] carried) {
        return new UdpSplit(subtaskId, journal, position, by, carried);
    }

    @Override
    public String splitId() {
        return "udp-" + subtaskId;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof UdpSplit)) {
            return false;
        }
        UdpSplit that = (UdpSplit) o;
        return subtaskId == that.subtaskId
                && position == that.position
                && Objects.equals(journal, that.journal)
                && Objects.equals(checkpointedBy, that.checkpointedBy)
                && Arrays.equals(carried, that.carried);
    }

    @Override
    public int hashCode() {
        return Objects.hash(subtaskId, journal, position);
    }

    @Override
    public String toString() {
        return splitId()
                + (journal == null ? "" : " (journal " + journal + ")")
                + (position == NO_POSITION ? "" : " at " + position);
    }
}
