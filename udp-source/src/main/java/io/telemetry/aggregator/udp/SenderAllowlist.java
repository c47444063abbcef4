package io.telemetry.aggregator.udp;

import java.io.Serializable;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The sender networks a reader accepts datagrams from, as CIDR blocks ({@code 10.0.0.0/8}, {@code
 * fd00::/8}, or a single address). Empty means every sender. An IPv4 block also matches the same
 * address in IPv4-mapped IPv6 form ({@code ::ffff:10.0.0.7}), as a dual-stack socket reports it.
 */
public final class SenderAllowlist implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Pattern IPV4 =
            Pattern.compile(
                    "((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

    private final List<String> blocks;
    private final byte[][] networks;
    private final int[] prefixes;

    private SenderAllowlist(List<String> blocks, byte[][] networks, int[] prefixes) {
        this.blocks = blocks;
        this.networks = networks;
        this.prefixes = prefixes;
    }

    /** Every sender. */
    public static SenderAllowlist all() {
        return new SenderAllowlist(List.of(), new byte[0][], new int[0]);
    }

    /**
     * Parses CIDR blocks.
     *
     * @throws IllegalArgumentException naming the entry that is not an IP address or CIDR block
     */
    public static SenderAllowlist parse(List<String> entries) {
        List<String> blocks = new ArrayList<>();
        List<byte[]> networks = new ArrayList<>();
        List<Integer> prefixes = new ArrayList<>();
        for (String raw : entries) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            int slash = entry.indexOf('/');
            String address = slash < 0 ? entry : entry.substring(0, slash);
            byte[] bytes = literal(address, entry);
            int prefix = bytes.length * 8;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(entry.substring(slash + 1));
                } catch (NumberFormatException e) {
                    prefix = -1;
                }
                if (prefix < 0 || prefix > bytes.length * 8) {
                    throw new IllegalArgumentException(
                            "source.udp.allowed-senders: '"
                                    + entry
                                    + "' has no valid prefix length (0 to "
                                    + bytes.length * 8
                                    + ")");
                }
            }
            blocks.add(entry);
            networks.add(bytes);
            prefixes.add(prefix);
        }
        return new SenderAllowlist(
                List.copyOf(blocks),
                networks.toArray(new byte[0][]),
                prefixes.stream().mapToInt(Integer::intValue).toArray());
    }

    private static byte[] literal(String address, String entry) {
        // Only literals (an IPv6 literal is never looked up); a host name would make the allowlist
        // depend
        // on DNS at start.
        if (!IPV4.matcher(address).matches() && !IPV6.matcher(address).matches()) {
            throw new IllegalArgumentException(
                    "source.udp.allowed-senders: '"
                            + entry
                            + "' is not an IP address or CIDR block such as 10.0.0.0/8");
        }
        try {
            return InetAddress.getByName(address).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(
                    "source.udp.allowed-senders: '"
                            + entry
                            + "' is not an IP address or CIDR block such as 10.0.0.0/8",
                    e);
        }
    }

    public boolean allowsEverySender() {
        return networks.length == 0;
    }

    /** Whether a datagram from this address is accepted. */
    public boolean allows(InetAddress sender) {
        if (networks.length == 0) {
            return true;
        }
        byte[] address = sender.getAddress();
        if (address.length == 16 && isIpv4Mapped(address)) {
            byte[] v4 = new byte[4];
            System.arraycopy(address, 12, v4, 0, 4);
            address = v4;
        }
        for (int i = 0; i < networks.length; i++) {
            if (networks[i].length == address.length
                    && matches(networks[i], prefixes[i], address)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isIpv4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    private static boolean matches(byte[] network, int prefix, byte[] address) {
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (network[i] != address[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (network[full] & mask) == (address[full] & mask);
    }

    @Override
    public String toString() {
        return blocks.isEmpty() ? "every sender" : String.join(", ", blocks);
    }
}
