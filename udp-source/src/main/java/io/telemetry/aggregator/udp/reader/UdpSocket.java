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

    private UdpSocket(DatagramChannel channel, int port, long inode) {
        this.channel = channel;
        this.port = port;
        this.inode = inode;
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
            if (effective < receiveBufferBytes) {
                LOG.warn(
                        "UDP socket {}:{} asked for a {} byte receive buffer and got {}; raise the"
                                + " kernel's cap with: sysctl -w net.core.rmem_max={}",
                        bindAddress,
                        boundPort,
                        receiveBufferBytes,
                        effective,
                        receiveBufferBytes);
            } else {
                LOG.info(
                        "UDP socket bound to {}:{} with a {} byte receive buffer",
                        bindAddress,
                        boundPort,
                        effective);
            }
            if (inode < 0 && KernelSocketTable.available()) {
                LOG.warn(
                        "Could not find UDP socket {}:{} in /proc/net/udp; kernel_drops stays 0",
                        bindAddress,
                        boundPort);
            }
            return new UdpSocket(channel, boundPort, inode);
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
