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
        assertThat(serializer.getVersion()).isEqualTo(1);
    }

    @Test
    void splitSerializerRejectsUnknownVersionsAndBadBytes() {
        assertThatThrownBy(() -> UdpSplitSerializer.INSTANCE.deserialize(2, new byte[4]))
                .isInstanceOf(IOException.class)
                .hasMessage("Unknown UDP split serializer version 2");
        assertThatThrownBy(() -> UdpSplitSerializer.INSTANCE.deserialize(1, new byte[3]))
                .isInstanceOf(IOException.class)
                .hasMessage("A version 1 UDP split has 4 bytes, not 3");
    }

    @Test
    void enumeratorStateRoundTrip() throws Exception {
        UdpEnumeratorStateSerializer serializer = UdpEnumeratorStateSerializer.INSTANCE;
        byte[] bytes = serializer.serialize(UdpEnumeratorState.EMPTY);

        assertThat(serializer.deserialize(1, bytes)).isSameAs(UdpEnumeratorState.EMPTY);
        assertThatThrownBy(() -> serializer.deserialize(9, bytes))
                .isInstanceOf(IOException.class)
                .hasMessage("Unknown UDP enumerator state serializer version 9");
    }
}
