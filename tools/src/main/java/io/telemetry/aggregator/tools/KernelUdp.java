package io.telemetry.aggregator.tools;

import io.telemetry.aggregator.udp.reader.KernelSocketTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The kernel's UDP counters: {@code RcvbufErrors} from /proc/net/snmp, and per-port sockets and
 * drops from the source's own reader of /proc/net/udp.
 */
public final class KernelUdp {

    private KernelUdp() {}

    /** Datagrams the kernel dropped machine-wide because a socket's receive buffer was full. */
    public static long receiveBufferErrors() {
        List<String> lines = read(Path.of("/proc/net/snmp"));
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).startsWith("Udp:") && lines.get(i + 1).startsWith("Udp:")) {
                String[] names = lines.get(i).trim().split("\\s+");
                String[] values = lines.get(i + 1).trim().split("\\s+");
                for (int k = 0; k < names.length; k++) {
                    if (names[k].equals("RcvbufErrors")) {
                        return Long.parseLong(values[k]);
                    }
                }
            }
        }
        throw new IllegalStateException("no Udp RcvbufErrors in /proc/net/snmp");
    }

    /** net.core.rmem_max: the largest receive buffer a socket may ask for, in bytes. */
    public static String receiveBufferMax() {
        List<String> lines = read(Path.of("/proc/sys/net/core/rmem_max"));
        return lines.get(0).trim();
    }

    /** Drops summed over the sockets bound to a local UDP port (IPv4 and IPv6). */
    public static long portDrops(int port) {
        return KernelSocketTable.socketsOnPort(port).values().stream()
                .mapToLong(Long::longValue)
                .sum();
    }

    /** Sockets bound to a local UDP port. */
    public static int boundSockets(int port) {
        return KernelSocketTable.socketsOnPort(port).size();
    }

    private static List<String> read(Path p) {
        try {
            return Files.readAllLines(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
