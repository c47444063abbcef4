package io.telemetry.aggregator.operators.aggregate;

import io.telemetry.aggregator.operators.SeriesKey;

/**
 * One key object for each series seen before: the window state keeps a key per series and window,
 * and a series that comes back in the next window then reuses the key (and its strings) of the last
 * one instead of holding a new copy from the shuffle. Kept keys are old objects to the collector,
 * so a window's young collections copy only its accumulators and state entries.
 *
 * <p>Bounded: a hash table in which a key looks at {@value #WAYS} slots from its hash. It starts
 * small and doubles while more than half its slots are taken, up to {@code maxSlots}; once there, a
 * key whose slots are all taken by other keys replaces one of them in turn. A key not found is a
 * new object whose strings are shared through {@link CanonicalStrings}. Not thread-safe: one per
 * operator instance.
 */
final class CanonicalKeys {

    /** Slots a key may take, from the one of its hash on. */
    static final int WAYS = 4;

    /** Slots of a new table. */
    static final int INITIAL_SLOTS = 1 << 12;

    private final int maxSlots;
    private final CanonicalStrings strings;
    private SeriesKey[] slots;
    private int mask;
    private int taken;
    private int victim;

    /**
     * @param maxSlots the most keys kept, a power of two
     */
    CanonicalKeys(int maxSlots) {
        if (Integer.bitCount(maxSlots) != 1) {
            throw new IllegalArgumentException("slots must be a power of two, not " + maxSlots);
        }
        this.maxSlots = maxSlots;
        this.strings = new CanonicalStrings(4096);
        this.slots = new SeriesKey[Math.min(maxSlots, INITIAL_SLOTS)];
        this.mask = slots.length - 1;
    }

    /** The key kept equal to the given fields, or a new one, now kept. */
    SeriesKey of(String metric, String source, String tags, byte function) {
        int home = home(SeriesKey.hash(metric, source, tags, function));
        int free = -1;
        for (int i = 0; i < WAYS; i++) {
            int slot = (home + i) & mask;
            SeriesKey k = slots[slot];
            if (k == null) {
                if (free < 0) {
                    free = slot;
                }
            } else if (k.function == function
                    && k.metric.equals(metric)
                    && k.source.equals(source)
                    && k.tags.equals(tags)) {
                return k;
            }
        }
        SeriesKey key =
                new SeriesKey(strings.of(metric), strings.of(source), strings.of(tags), function);
        if (free >= 0) {
            slots[free] = key;
            if (++taken > slots.length / 2 && slots.length < maxSlots) {
                grow();
            }
        } else if (slots.length < maxSlots) {
            grow();
            put(key);
        } else {
            slots[(home + (victim++ & (WAYS - 1))) & mask] = key;
        }
        return key;
    }

    /** Slots in the table now (for tests). */
    int capacity() {
        return slots.length;
    }

    private void grow() {
        SeriesKey[] old = slots;
        slots = new SeriesKey[old.length * 2];
        mask = slots.length - 1;
        taken = 0;
        for (SeriesKey k : old) {
            if (k != null) {
                put(k);
            }
        }
    }

    /** The first of the slots of a key of this hash. */
    private int home(int hash) {
        return (hash ^ (hash >>> 16)) & mask;
    }

    /** Puts a key in the first free of its slots; drops it when none is free. */
    private void put(SeriesKey key) {
        int home = home(key.hashCode());
        for (int i = 0; i < WAYS; i++) {
            int slot = (home + i) & mask;
            if (slots[slot] == null) {
                slots[slot] = key;
                taken++;
                return;
            }
        }
    }
}
