package io.telemetry.aggregator.udp.reader;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reader's non-blocking UDP socket, bound with {@code SO_REUSEPORT} so that every parallel
 * reader can bind the same port, and the kernel's drop count for it.
 */
final class UdpSocket implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(UdpSocket.class);

    /** Serialises binds in this JVM so that each socket can tell its own inode apart. */
    private static final Object BIND_LOCK = new Object();

    private final DatagramChannel channel;
    private final int port;
    private final long inode;

    private volatile long lastDrops;
    private volatile long lastDropsReadAt;

    private final int receiveBufferBytes;

    private UdpSocket(DatagramChannel channel, int port, long inode, int receiveBufferBytes) {
        this.channel = channel;
        this.port = port;
        this.inode = inode;
        this.receiveBufferBytes = receiveBufferBytes;
    }

    /**
     * Logs the receive buffer the kernel gave a reader's sockets: a warning when it capped what was
     * asked for.
     */
    static void logBuffers(String splitId, UdpSocket[] sockets, String bindAddress, int asked) {
        UdpSocket first = sockets[0];
        if (first.receiveBufferBytes < asked) {
            LOG.warn(
                    "UDP split {}: {} socket(s) on {}:{} asked for a {} byte receive buffer each and got {};"
                            + " raise the kernel's cap with: sysctl -w net.core.rmem_max={}",
                    splitId,
                    sockets.length,
                    bindAddress,
                    first.port,
                    asked,
                    first.receiveBufferBytes,
                    asked);
        } else {
            LOG.info(
                    "UDP split {}: {} socket(s) bound to {}:{}, each with a {} byte receive buffer",
                    splitId,
                    sockets.length,
                    bindAddress,
                    first.port,
                    first.receiveBufferBytes);
        }
    }

    static UdpSocket open(String bindAddress, int port, int receiveBufferBytes) throws IOException {
        InetAddress address = InetAddress.getByName(bindAddress);
        DatagramChannel channel =
                DatagramChannel.open(
                        address instanceof Inet6Address
                                ? StandardProtocolFamily.INET6
                                : StandardProtocolFamily.INET);
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            channel.setOption(StandardSocketOptions.SO_RCVBUF, receiveBufferBytes);
            channel.configureBlocking(false);
            long inode;
            synchronized (BIND_LOCK) {
                Set<Long> before =
                        port == 0 ? Set.of() : KernelSocketTable.socketsOnPort(port).keySet();
                channel.bind(new InetSocketAddress(address, port));
                int boundPort = ((InetSocketAddress) channel.getLocalAddress()).getPort();
                Set<Long> ours = new HashSet<>(KernelSocketTable.socketsOnPort(boundPort).keySet());
                ours.removeAll(before);
                inode = ours.size() == 1 ? ours.iterator().next() : -1;
            }
            int effective = channel.getOption(StandardSocketOptions.SO_RCVBUF);
            int boundPort = ((InetSocketAddress) channel.getLocalAddress()).getPort();
            if (inode < 0 && KernelSocketTable.available()) {
                LOG.warn(
                        "Could not find UDP socket {}:{} in /proc/net/udp; kernel_drops stays 0",
                        bindAddress,
                        boundPort);
            }
            return new UdpSocket(channel, boundPort, inode, effective);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw new IOException(
                    "Cannot bind UDP socket to " + bindAddress + ":" + port + ": " + e.getMessage(),
                    e);
        }
    }

    DatagramChannel channel() {
        return channel;
    }

    int port() {
        return port;
    }

    SocketAddress receive(ByteBuffer buffer) throws IOException {
        return channel.receive(buffer);
    }

    /** Datagrams the kernel dropped on this socket; read at most once a second. */
    long kernelDrops() {
        if (inode < 0) {
            return 0;
        }
        long now = System.currentTimeMillis();
        if (now - lastDropsReadAt >= 1000) {
            Map<Long, Long> sockets = KernelSocketTable.socketsOnPort(port);
            Long drops = sockets.get(inode);
            if (drops != null) {
                lastDrops = drops;
            }
            lastDropsReadAt = now;
        }
        return lastDrops;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
