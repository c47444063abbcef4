package io.telemetry.aggregator.operators.parse;

import com.fasterxml.jackson.core.io.NumberInput;

/** Strict decimal number parsing for the text formats. */
final class Numbers {

    private Numbers() {}

    /**
     * Parses {@code [+-]digits[.digits][(e|E)[+-]digits]} in {@code s[from, to)}; returns NaN for
     * anything else (hex floats, {@code NaN}, {@code Infinity}, type suffixes, blanks), and
     * infinity when the number is too large for a double.
     */
    static double parseDecimal(String s, int from, int to) {
        int i = from;
        if (i < to && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        int digits = 0;
        while (i < to && isDigit(s.charAt(i))) {
            i++;
            digits++;
        }
        if (i < to && s.charAt(i) == '.') {
            i++;
            while (i < to && isDigit(s.charAt(i))) {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return Double.NaN;
        }
        if (i < to && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < to && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int expDigits = 0;
            while (i < to && isDigit(s.charAt(i))) {
                i++;
                expDigits++;
            }
            if (expDigits == 0) {
                return Double.NaN;
            }
        }
        if (i != to) {
            return Double.NaN;
        }
        if (to - from <= 15 && digits == to - from) {
            // Plain integers with few digits: exact without the general parser.
            long v = 0;
            for (int k = from; k < to; k++) {
                v = v * 10 + (s.charAt(k) - '0');
            }
            return v;
        }
        // Jackson's fast double parser: the same correctly rounded double as Double.parseDouble.
        return NumberInput.parseDouble(s.substring(from, to), true);
    }

    /**
     * Parses an optionally signed decimal integer in {@code s[from, to)}; returns {@code
     * Long.MIN_VALUE} when it is not one or does not fit in a long.
     */
    static long parseLong(String s, int from, int to) {
        int i = from;
        boolean negative = false;
        if (i < to && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        if (i == to) {
            return Long.MIN_VALUE;
        }
        long v = 0;
        for (; i < to; i++) {
            char c = s.charAt(i);
            if (!isDigit(c)) {
                return Long.MIN_VALUE;
            }
            int d = c - '0';
            if (v > (Long.MAX_VALUE - d) / 10) {
                return Long.MIN_VALUE;
            }
            v = v * 10 + d;
        }
        return negative ? -v : v;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
