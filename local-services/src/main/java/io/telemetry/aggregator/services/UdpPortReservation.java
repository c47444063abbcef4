package io.telemetry.aggregator.services;

import io.telemetry.aggregator.udp.UdpSourceOptions;
import io.telemetry.aggregator.udp.reader.KernelSocketTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * A UDP port held for a job until the job's readers have bound it. The job binds its readers with
 * {@code SO_REUSEPORT}, so a port picked by closing a probe socket could be taken meanwhile by
 * anything, or silently shared with another job that picked the same port. This holds a socket with
 * {@code SO_REUSEPORT} on the port (the kernel hands the port to nobody else while it is bound),
 * lets the job's readers join it, and lets go once they are all there. Send nothing before {@link
 * #awaitJobSockets} returns: the held socket would receive its share.
 *
 * <pre>{@code
 * try (UdpPortReservation port = UdpPortReservation.reserve("127.0.0.1")) {
 *     startJob("--source.udp.port", port.port());
 *     port.awaitJobSockets(2, Duration.ofSeconds(60), job::isAlive);
 *     send(port.port(), ...);
 * }
 * }</pre>
 */
public final class UdpPortReservation implements AutoCloseable {

    /** Sockets a job's reader binds for each of its splits unless the job sets otherwise. */
    public static final int SOCKETS_PER_READER = UdpSourceOptions.SOCKETS_PER_READER.defaultValue();

    private final DatagramChannel held;
    private final int port;

    private UdpPortReservation(DatagramChannel held, int port) {
        this.held = held;
        this.port = port;
    }

    /** Holds a port the kernel picks on {@code host}. */
    public static UdpPortReservation reserve(String host) {
        try {
            DatagramChannel channel = DatagramChannel.open();
            channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            channel.bind(new InetSocketAddress(host, 0));
            return new UdpPortReservation(
                    channel, ((InetSocketAddress) channel.getLocalAddress()).getPort());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot reserve a UDP port on " + host, e);
        }
    }

    public int port() {
        return port;
    }

    /**
     * Waits until the sockets of {@code splits} splits of a job with the default {@code
     * source.udp.sockets-per-reader} are bound to {@code port}: a restored job's readers have bound
     * the port again once the kernel's socket table lists them all.
     */
    public static void awaitSplitSockets(int port, int splits, Duration timeout) throws Exception {
        int sockets = splits * SOCKETS_PER_READER;
        Await.until(
                () -> KernelSocketTable.socketsOnPort(port).size() >= sockets,
                timeout,
                () ->
                        KernelSocketTable.socketsOnPort(port).size()
                                + " of "
                                + sockets
                                + " sockets bound UDP port "
                                + port);
    }

    /**
     * Waits until {@code readers} readers of a job with the default {@code
     * source.udp.sockets-per-reader} have bound all their sockets; see {@link #awaitJobSockets(int,
     * int, Duration, BooleanSupplier)}.
     */
    public void awaitJobSockets(int readers, Duration timeout, BooleanSupplier alive)
            throws InterruptedException {
        awaitJobSockets(readers, SOCKETS_PER_READER, timeout, alive);
    }

    /**
     * Waits until {@code readers} times {@code socketsPerReader} sockets besides the held one are
     * bound to the port (as the kernel's socket table lists them), then lets the port go to them.
     * Sending before all are bound would let the kernel move a sender to another socket, and so to
     * another reader, when the rest bind.
     *
     * @param alive checked while waiting; when it turns false the wait fails at once
     * @throws IllegalStateException when the deadline passes or the job is gone first
     */
    public void awaitJobSockets(
            int readers, int socketsPerReader, Duration timeout, BooleanSupplier alive)
            throws InterruptedException {
        int sockets = readers * socketsPerReader;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            int bound = jobSockets();
            if (bound >= sockets) {
                close();
                return;
            }
            if (!alive.getAsBoolean()) {
                throw new IllegalStateException(
                        "The job stopped before its readers bound UDP port " + port);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        bound
                                + " of "
                                + sockets
                                + " sockets ("
                                + readers
                                + " readers of "
                                + socketsPerReader
                                + ") bound UDP port "
                                + port
                                + " within "
                                + timeout);
            }
            Thread.sleep(50);
        }
    }

    /** Sockets of the job on the port now (the held one not counted). */
    public int jobSockets() {
        return KernelSocketTable.socketsOnPort(port).size() - (held.isOpen() ? 1 : 0);
    }

    @Override
    public void close() {
        try {
            held.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
