package io.telemetry.aggregator.operators.parse;

import java.util.Arrays;

/**
 * The strings a parsing task reads again and again (metric names, sources, tag values, tag sets),
 * kept so that a repeated one is the same {@link String}: nothing allocated for it, its hash
 * computed once, and the pre-aggregation's map lookups end at the identity check. Direct-mapped and
 * bounded: a new string takes the slot of its hash from the one there, so a flood of unique names
 * costs what it costs without the cache and holds no more memory. Not thread-safe: one per parser.
 */
final class StringCache {

    /** Longer strings are not kept: they are rarely names, and comparing them costs more. */
    static final int MAX_LENGTH = 256;

    private final String[] slots;
    private final char[][] slotChars;
    private final int mask;

    /**
     * @param slots the number of strings kept, a power of two
     */
    StringCache(int slots) {
        if (Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots must be a power of two, not " + slots);
        }
        this.slots = new String[slots];
        this.slotChars = new char[slots][];
        this.mask = slots - 1;
    }

    /** The string of {@code chars[offset, offset + length)}. */
    String get(char[] chars, int offset, int length) {
        if (length > MAX_LENGTH) {
            return new String(chars, offset, length);
        }
        int hash = 0;
        for (int i = 0; i < length; i++) {
            hash = 31 * hash + chars[offset + i];
        }
        int slot = slotOf(hash);
        char[] kept = slotChars[slot];
        if (kept != null && Arrays.equals(kept, 0, kept.length, chars, offset, offset + length)) {
            return slots[slot];
        }
        String s = new String(chars, offset, length);
        slots[slot] = s;
        slotChars[slot] = Arrays.copyOfRange(chars, offset, offset + length);
        return s;
    }

    private int slotOf(int hash) {
        return (hash ^ (hash >>> 16)) & mask;
    }
}
