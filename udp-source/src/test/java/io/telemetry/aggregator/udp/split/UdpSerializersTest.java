package io.telemetry.aggregator.udp.split;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.telemetry.aggregator.udp.enumerator.UdpEnumeratorState;
import io.telemetry.aggregator.udp.enumerator.UdpEnumeratorStateSerializer;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class UdpSerializersTest {

    @Test
    void splitRoundTrip() throws Exception {
        UdpSplitSerializer serializer = UdpSplitSerializer.INSTANCE;
        UdpSplit split = new UdpSplit(7);

        UdpSplit back =
                serializer.deserialize(serializer.getVersion(), serializer.serialize(split));

        assertThat(back).isEqualTo(split);
        assertThat(back.splitId()).isEqualTo("udp-7");
        assertThat(serializer.getVersion()).isEqualTo(2);
    }

    @Test
    void aCheckpointedSplitKeepsItsJournalPositionAndCarriedFrames() throws Exception {
        UdpSplitSerializer serializer = UdpSplitSerializer.INSTANCE;
        UdpSplit carrying =
                new UdpSplit(
                        3, "a1b2c3d4-udp-3", 1_234_567_890_123L, "a1b2c3d4", new byte[] {1, 2});
        UdpSplit tooMuch = new UdpSplit(4, "a1b2c3d4-udp-4", 77, "e5f6a7b8", null);
        UdpSplit fresh = new UdpSplit(5, "a1b2c3d4-udp-5");

        for (UdpSplit split : new UdpSplit[] {carrying, tooMuch, fresh}) {
            UdpSplit back = serializer.deserialize(2, serializer.serialize(split));
            assertThat(back).isEqualTo(split);
            assertThat(back.getJournal()).isEqualTo(split.getJournal());
            assertThat(back.getPosition()).isEqualTo(split.getPosition());
            assertThat(back.getCheckpointedBy()).isEqualTo(split.getCheckpointedBy());
            assertThat(back.getCarried()).isEqualTo(split.getCarried());
        }
        assertThat(fresh.getPosition()).isEqualTo(UdpSplit.NO_POSITION);
        assertThat(fresh.getCarried()).isEmpty();
    }

    /**
     * Release 0.1.0 wrote version 1: the subtask alone. It restores as a split without a journal.
     */
    @Test
    void aVersion1SplitRestoresWithoutAJournal() throws Exception {
        UdpSplit old = UdpSplitSerializer.INSTANCE.deserialize(1, new byte[] {0, 0, 0, 2});

        assertThat(old.splitId()).isEqualTo("udp-2");
        assertThat(old.getJournal()).isNull();
        assertThat(old.getPosition()).isEqualTo(UdpSplit.NO_POSITION);
    }

    @Test
    void splitSerializerRejectsUnknownVersionsAndBadBytes() {
        assertThatThrownBy(() -> UdpSplitSerializer.INSTANCE.deserialize(3, new byte[4]))
                .isInstanceOf(IOException.class)
                .hasMessage("Unknown UDP split serializer version 3");
        assertThatThrownBy(() -> UdpSplitSerializer.INSTANCE.deserialize(1, new byte[3]))
                .isInstanceOf(IOException.class)
                .hasMessage("A version 1 UDP split has 4 bytes, not 3");
    }

    @Test
    void enumeratorStateRoundTrip() throws Exception {
        UdpEnumeratorStateSerializer serializer = UdpEnumeratorStateSerializer.INSTANCE;
        UdpEnumeratorState state =
                new UdpEnumeratorState(
                        java.util.List.of(new UdpSplit(1, "a1b2c3d4-udp-1"), new UdpSplit(0)));
        byte[] bytes = serializer.serialize(state);

        assertThat(serializer.deserialize(2, bytes).returnedSplits())
                .isEqualTo(state.returnedSplits());
        assertThat(serializer.deserialize(1, new byte[0])).isSameAs(UdpEnumeratorState.EMPTY);
        assertThatThrownBy(() -> serializer.deserialize(9, bytes))
                .isInstanceOf(IOException.class)
                .hasMessage("Unknown UDP enumerator state serializer version 9");
    }
}
