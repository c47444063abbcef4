package io.telemetry.aggregator.operators.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StringCacheTest {

    private static String get(StringCache cache, String text) {
        char[] chars = ("xx" + text + "yy").toCharArray();
        return cache.get(chars, 2, text.length());
    }

    @Test
    void aRepeatedStringIsTheSameInstance() {
        StringCache cache = new StringCache(16);
        String first = get(cache, "cpu.load");

        assertThat(first).isEqualTo("cpu.load");
        assertThat(get(cache, "cpu.load")).isSameAs(first);
        assertThat(get(cache, "")).isEmpty();
    }

    @Test
    void stringsOfOneSlotNeverStandForEachOther() {
        StringCache cache = new StringCache(1);
        // "Aa" and "BB" have the same hash; with one slot every string shares it.
        for (int round = 0; round < 3; round++) {
            for (String s : new String[] {"Aa", "BB", "A", "Ab", "Aa"}) {
                assertThat(get(cache, s)).isEqualTo(s);
            }
        }
    }

    @Test
    void aLongStringIsNotKept() {
        StringCache cache = new StringCache(16);
        String text = "x".repeat(StringCache.MAX_LENGTH + 1);

        String first = get(cache, text);

        assertThat(first).isEqualTo(text);
        assertThat(get(cache, text)).isEqualTo(text).isNotSameAs(first);
    }

    @Test
    void slotsMustBeAPowerOfTwo() {
        assertThatThrownBy(() -> new StringCache(1000))
                .hasMessage("slots must be a power of two, not 1000");
    }
}
