package io.telemetry.aggregator.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class SenderAllowlistTest {

    private static boolean allows(SenderAllowlist list, String address) throws Exception {
        return list.allows(InetAddress.getByName(address));
    }

    @Test
    void emptyAllowsEverySender() throws Exception {
        SenderAllowlist all = SenderAllowlist.parse(List.of());
        assertThat(all.allowsEverySender()).isTrue();
        assertThat(allows(all, "203.0.113.9")).isTrue();
        assertThat(allows(all, "2001:db8::1")).isTrue();
        assertThat(all).hasToString("every sender");
    }

    @Test
    void matchesIpv4BlocksAtEveryPrefixLength() throws Exception {
        SenderAllowlist list =
                SenderAllowlist.parse(
                        List.of(
                                "10.20.0.0/16",
                                " 192.168.1.7 ",
                                "172.16.0.0/12",
                                "100.64.0.128/25"));
        assertThat(allows(list, "10.20.255.1")).isTrue();
        assertThat(allows(list, "10.21.0.1")).isFalse();
        assertThat(allows(list, "192.168.1.7")).isTrue();
        assertThat(allows(list, "192.168.1.8")).isFalse();
        assertThat(allows(list, "172.31.255.255")).isTrue();
        assertThat(allows(list, "172.32.0.0")).isFalse();
        assertThat(allows(list, "100.64.0.200")).isTrue();
        assertThat(allows(list, "100.64.0.127")).isFalse();
        // A dual-stack socket reports IPv4 senders in IPv4-mapped form.
        assertThat(
                        list.allows(
                                InetAddress.getByAddress(
                                        new byte[] {
                                            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, 10, 20, 1, 1
                                        })))
                .isTrue();
        assertThat(list).hasToString("10.20.0.0/16, 192.168.1.7, 172.16.0.0/12, 100.64.0.128/25");
    }

    @Test
    void matchesIpv6Blocks() throws Exception {
        SenderAllowlist list = SenderAllowlist.parse(List.of("fd00::/8", "2001:db8::1"));
        assertThat(allows(list, "fd12:3456::1")).isTrue();
        assertThat(allows(list, "fe80::1")).isFalse();
        assertThat(allows(list, "2001:db8::1")).isTrue();
        assertThat(allows(list, "2001:db8::2")).isFalse();
        assertThat(allows(list, "10.0.0.1")).isFalse();
    }

    @Test
    void zeroPrefixAllowsTheWholeFamily() throws Exception {
        SenderAllowlist list = SenderAllowlist.parse(List.of("0.0.0.0/0"));
        assertThat(allows(list, "198.51.100.1")).isTrue();
        assertThat(allows(list, "2001:db8::1")).isFalse();
    }

    @Test
    void rejectsWhatIsNotAnAddressOrBlock() {
        assertThatThrownBy(() -> SenderAllowlist.parse(List.of("10.0.0.0/33")))
                .hasMessage(
                        "source.udp.allowed-senders: '10.0.0.0/33' has no valid prefix length (0 to 32)");
        assertThatThrownBy(() -> SenderAllowlist.parse(List.of("fd00::/x")))
                .hasMessage(
                        "source.udp.allowed-senders: 'fd00::/x' has no valid prefix length (0 to 128)");
        assertThatThrownBy(() -> SenderAllowlist.parse(List.of("senders.example.com")))
                .hasMessage(
                        "source.udp.allowed-senders: 'senders.example.com' is not an IP address or CIDR block such as 10.0.0.0/8");
        assertThatThrownBy(() -> SenderAllowlist.parse(List.of("10.0.0.300/8")))
                .hasMessage(
                        "source.udp.allowed-senders: '10.0.0.300/8' is not an IP address or CIDR block such as 10.0.0.0/8");
    }
}
