package io.telemetry.aggregator.udp.reader;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KernelSocketTableTest {

    @Test
    void readsInodeAndDropsOfSocketsOnThePort() {
        Map<Long, Long> sockets = new HashMap<>();
        KernelSocketTable.parseLine(
                "  123: 0100007F:1770 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4242 2 0000000000000000 17",
                6000,
                sockets);
        KernelSocketTable.parseLine(
                "  124: 0100007F:1771 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4243 2 0000000000000000 5",
                6000,
                sockets);
        KernelSocketTable.parseLine(
                "  sl  local_address rem_address   st tx_queue rx_queue", 6000, sockets);

        assertThat(sockets).containsExactly(Map.entry(4242L, 17L));
    }

    /** Waits until the kernel lists {@code count} sockets bound to the port. */
    static void awaitSockets(int port, int count) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (KernelSocketTable.socketsOnPort(port).size() < count) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("Fewer than " + count + " sockets bound port " + port);
            }
            Thread.sleep(20);
        }
    }
}
