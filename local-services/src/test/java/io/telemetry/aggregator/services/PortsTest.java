package io.telemetry.aggregator.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.telemetry.aggregator.udp.reader.KernelSocketTable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ports for test servers and jobs: never shared by accident, taken ones retried. */
class PortsTest {

    private static final long PID = ProcessHandle.current().pid();

    @Test
    void freePortsPickedTogetherAreDistinct() throws IOException {
        int[] ports = Ports.freeTcp(20);
        assertThat(Arrays.stream(ports).distinct().count()).isEqualTo(20);
    }

    @Test
    void aListeningSocketIsFoundInItsOwnProcessOnly() throws IOException {
        try (ServerSocket server = new ServerSocket(0)) {
            assertThat(Ports.listening(PID, server.getLocalPort())).isTrue();
            assertThat(
                            Ports.listening(
                                    ProcessHandle.current().parent().orElseThrow().pid(),
                                    server.getLocalPort()))
                    .isFalse();
            assertThat(Ports.anyTaken(server.getLocalPort())).isTrue();
        }
        int closed = Ports.freeTcp(1)[0];
        assertThat(Ports.listening(PID, closed)).isFalse();
    }

    @Test
    void aServerWhosePortWasTakenStartsAgainOnFreshPorts() throws Exception {
        List<int[]> tries = new ArrayList<>();
        List<ServerSocket> squatters = new ArrayList<>();
        try {
            int[] used =
                    ChildProcess.onFreePorts(
                            2,
                            ports -> {
                                tries.add(ports);
                                if (tries.size() == 1) {
                                    // Something else binds the port before the server does.
                                    squatters.add(
                                            new ServerSocket(
                                                    ports[1],
                                                    50,
                                                    java.net.InetAddress.getLoopbackAddress()));
                                    throw new IOException("bind: address already in use");
                                }
                                return ports;
                            });
            assertThat(tries).hasSize(2);
            assertThat(used).isSameAs(tries.get(1));
        } finally {
            for (ServerSocket s : squatters) {
                s.close();
            }
        }
    }

    @Test
    void aServerThatFailsForAnotherReasonIsNotStartedAgain() {
        List<int[]> tries = new ArrayList<>();
        assertThatThrownBy(
                        () ->
                                ChildProcess.onFreePorts(
                                        1,
                                        ports -> {
                                            tries.add(ports);
                                            throw new IOException("bad configuration");
                                        }))
                .hasMessage("bad configuration");
        assertThat(tries).hasSize(1);
    }

    @Test
    void aReservedUdpPortGoesToTheJobOnceItsReadersBoundIt() throws Exception {
        try (UdpPortReservation first = UdpPortReservation.reserve("127.0.0.1");
                UdpPortReservation second = UdpPortReservation.reserve("127.0.0.1")) {
            assertThat(first.port()).isNotEqualTo(second.port());
            try (DatagramChannel reader = DatagramChannel.open();
                    DatagramChannel sender = DatagramChannel.open()) {
                reader.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                reader.bind(new InetSocketAddress("127.0.0.1", first.port()));
                assertThat(first.jobSockets()).isEqualTo(1);
                // A reader of two sockets has bound only one: the port is not let go yet.
                assertThatThrownBy(
                                () ->
                                        first.awaitJobSockets(
                                                1, 2, Duration.ofMillis(200), () -> true))
                        .hasMessage(
                                "1 of 2 sockets (1 readers of 2) bound UDP port "
                                        + first.port()
                                        + " within PT0.2S");
                // still held: the reader's socket and the held one
                assertThat(KernelSocketTable.socketsOnPort(first.port())).hasSize(2);
                first.awaitJobSockets(1, 1, Duration.ofSeconds(10), () -> true);
                // Released: every datagram goes to the job's socket now.
                for (int i = 0; i < 10; i++) {
                    sender.send(
                            ByteBuffer.wrap(("d" + i).getBytes(StandardCharsets.UTF_8)),
                            new InetSocketAddress("127.0.0.1", first.port()));
                }
                reader.configureBlocking(true);
                ByteBuffer buffer = ByteBuffer.allocate(100);
                for (int i = 0; i < 10; i++) {
                    buffer.clear();
                    reader.receive(buffer);
                    buffer.flip();
                    assertThat(StandardCharsets.UTF_8.decode(buffer).toString()).isEqualTo("d" + i);
                }
            }
            assertThatThrownBy(
                            () -> second.awaitJobSockets(2, 4, Duration.ofMillis(200), () -> true))
                    .hasMessage(
                            "0 of 8 sockets (2 readers of 4) bound UDP port "
                                    + second.port()
                                    + " within PT0.2S");
            assertThatThrownBy(() -> second.awaitJobSockets(2, Duration.ofSeconds(10), () -> false))
                    .hasMessage(
                            "The job stopped before its readers bound UDP port " + second.port());
        }
    }
}
