package io.telemetry.aggregator.operators.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NumbersTest {

    /**
     * Every decimal the text formats accept is the exact double {@link Double#parseDouble} gives.
     */
    @Test
    void decimalsReadAsJavaReadsThem() {
        List<String> texts = new ArrayList<>(DecimalTexts.samples());
        // More shapes: a plus sign, an upper-case exponent, a long integer, and a point with no
        // digit after or before it (the last two and the plus sign are not JSON).
        texts.addAll(List.of("+7", "1E+308", "9007199254740993", "320.5", ".5", "5."));
        // Exponents past any double, and mantissas longer than any sender's.
        texts.addAll(
                List.of(
                        "1e9999999999999999999",
                        "1e-9999999999999999999",
                        "-1e2147483648",
                        "1." + "3".repeat(5_000) + "e-5",
                        "9".repeat(400) + ".5",
                        "0." + "0".repeat(400) + "1"));
        for (String text : texts) {
            String line = "m:" + text + "|ms";
            double parsed = Numbers.parseDecimal(line, 2, line.length() - 3);
            assertThat(Double.doubleToRawLongBits(parsed))
                    .as(text)
                    .isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(text)));
        }
    }

    @Test
    void whatIsNotADecimalIsNaNAndWhatIsTooLargeIsInfinite() {
        for (String text :
                List.of("", "-", ".", "1e", "1e+", "0x1p3", "NaN", "Infinity", "1d", "1 ")) {
            assertThat(Numbers.parseDecimal(text, 0, text.length())).as(text).isNaN();
        }
        assertThat(Numbers.parseDecimal("1e400", 0, 5)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(Numbers.parseDecimal("-1e400", 0, 6)).isEqualTo(Double.NEGATIVE_INFINITY);
    }
}
