package io.telemetry.aggregator.operators;

/** Writes JSON string literals: the escapes JSON requires, everything else as it is. */
public final class JsonText {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonText() {}

    public static void appendQuoted(StringBuilder sb, String s) {
        sb.append('"');
        int plain = 0;
        while (plain < s.length()
                && s.charAt(plain) >= 0x20
                && s.charAt(plain) != '"'
                && s.charAt(plain) != '\\') {
            plain++;
        }
        if (plain == s.length()) {
            sb.append(s).append('"'); // nothing to escape: the string as one copy
            return;
        }
        sb.append(s, 0, plain);
        for (int i = plain; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                case '\b':
                    sb.append("\\b");
                    break;
                case '\f':
                    sb.append("\\f");
                    break;
                default:
                    if (c < 0x20) {
                        sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }
}
