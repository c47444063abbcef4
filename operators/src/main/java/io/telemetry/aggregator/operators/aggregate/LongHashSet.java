package io.telemetry.aggregator.operators.aggregate;

import java.util.Arrays;

/** An open-addressing set of longs, for exact distinct counts without boxing. */
final class LongHashSet {

    private static final long EMPTY = 0L;

    private long[] slots;
    private int size;
    private boolean hasZero;

    LongHashSet() {
        this(8);
    }

    LongHashSet(int expected) {
        int capacity = Integer.highestOneBit(Math.max(8, expected * 2 - 1)) << 1;
        slots = new long[capacity];
    }

    int size() {
        return size + (hasZero ? 1 : 0);
    }

    boolean contains(long value) {
        if (value == EMPTY) {
            return hasZero;
        }
        int mask = slots.length - 1;
        int i = mix(value) & mask;
        while (slots[i] != EMPTY) {
            if (slots[i] == value) {
                return true;
            }
            i = (i + 1) & mask;
        }
        return false;
    }

    boolean add(long value) {
        if (value == EMPTY) {
            if (hasZero) {
                return false;
            }
            hasZero = true;
            return true;
        }
        if ((size + 1) * 4 > slots.length * 3) {
            grow();
        }
        return insert(slots, value);
    }

    private boolean insert(long[] table, long value) {
        int mask = table.length - 1;
        int i = mix(value) & mask;
        while (table[i] != EMPTY) {
            if (table[i] == value) {
                return false;
            }
            i = (i + 1) & mask;
        }
        table[i] = value;
        size++;
        return true;
    }

    private void grow() {
        long[] old = slots;
        slots = new long[old.length * 2];
        size = 0;
        for (long v : old) {
            if (v != EMPTY) {
                insert(slots, v);
            }
        }
    }

    void addAll(LongHashSet other) {
        if (other.hasZero) {
            hasZero = true;
        }
        for (long v : other.slots) {
            if (v != EMPTY) {
                add(v);
            }
        }
    }

    /** The members, in no particular order. */
    long[] toArray() {
        long[] out = new long[size()];
        int n = 0;
        if (hasZero) {
            out[n++] = 0L;
        }
        for (long v : slots) {
            if (v != EMPTY) {
                out[n++] = v;
            }
        }
        return out;
    }

    LongHashSet copy() {
        LongHashSet c = new LongHashSet();
        c.slots = Arrays.copyOf(slots, slots.length);
        c.size = size;
        c.hasZero = hasZero;
        return c;
    }

    private static int mix(long v) {
        long h = v * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
