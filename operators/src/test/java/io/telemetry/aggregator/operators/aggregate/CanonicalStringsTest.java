package io.telemetry.aggregator.operators.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CanonicalStringsTest {

    @Test
    void anEqualStringGivesTheInstanceKept() {
        CanonicalStrings strings = new CanonicalStrings(16);
        String first = new String("127.0.0.1");

        assertThat(strings.of(first)).isSameAs(first);
        assertThat(strings.of(new String("127.0.0.1"))).isSameAs(first);
    }

    @Test
    void stringsOfOneSlotNeverStandForEachOther() {
        CanonicalStrings strings = new CanonicalStrings(1);
        for (int round = 0; round < 3; round++) {
            for (String s : new String[] {"Aa", "BB", "", "Aa", "{}"}) {
                assertThat(strings.of(new String(s))).isEqualTo(s);
            }
        }
    }
}
