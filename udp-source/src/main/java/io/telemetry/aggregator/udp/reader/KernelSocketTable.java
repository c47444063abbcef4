package io.telemetry.aggregator.udp.reader;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads Linux's UDP socket tables ({@code /proc/net/udp} and {@code /proc/net/udp6}): which sockets
 * are bound to a port, and how many datagrams the kernel dropped on each.
 */
public final class KernelSocketTable {

    private static final Path[] TABLES = {Path.of("/proc/net/udp"), Path.of("/proc/net/udp6")};

    private KernelSocketTable() {}

    public static boolean available() {
        return Files.isReadable(TABLES[0]);
    }

    /** Inode to drop count of every UDP socket bound to the given local port. */
    public static Map<Long, Long> socketsOnPort(int port) {
        Map<Long, Long> sockets = new HashMap<>();
        forEachLine(line -> parseLine(line, port, sockets));
        return sockets;
    }

    /**
     * Bytes waiting in the receive queues of the UDP sockets bound to the given local port: what
     * the kernel holds that no reader has taken yet.
     */
    public static long queuedBytes(int port) {
        String hexPort = String.format(":%04X", port);
        long[] queued = {0};
        forEachLine(
                line -> {
                    String[] cols = line.trim().split("\\s+");
                    if (cols.length >= 13 && cols[1].endsWith(hexPort)) {
                        String queues = cols[4]; // tx_queue:rx_queue, hexadecimal
                        try {
                            queued[0] +=
                                    Long.parseLong(queues.substring(queues.indexOf(':') + 1), 16);
                        } catch (NumberFormatException e) {
                            // Not a socket line.
                        }
                    }
                });
        return queued[0];
    }

    /** Every socket line of the IPv4 and IPv6 tables (a table that is unreadable is skipped). */
    private static void forEachLine(java.util.function.Consumer<String> action) {
        for (Path table : TABLES) {
            if (!Files.isReadable(table)) {
                continue;
            }
            try (BufferedReader in = Files.newBufferedReader(table, StandardCharsets.US_ASCII)) {
                in.readLine(); // header
                String line;
                while ((line = in.readLine()) != null) {
                    action.accept(line);
                }
            } catch (IOException e) {
                // The table vanished or is unreadable; report what was read.
            }
        }
    }

    /**
     * One line: {@code sl local_address rem_address st tx:rx tr tm->when retrnsmt uid timeout inode
     * ref pointer drops}.
     */
    static void parseLine(String line, int port, Map<Long, Long> sockets) {
        String[] cols = line.trim().split("\\s+");
        if (cols.length < 13) {
            return;
        }
        String local = cols[1];
        int colon = local.lastIndexOf(':');
        if (colon < 0) {
            return;
        }
        try {
            if (Integer.parseInt(local.substring(colon + 1), 16) != port) {
                return;
            }
            long inode = Long.parseLong(cols[9]);
            long drops = Long.parseLong(cols[cols.length - 1]);
            sockets.put(inode, drops);
        } catch (NumberFormatException e) {
            // Not a socket line.
        }
    }
}
