package io.telemetry.aggregator.sinks;

import java.util.Locale;

/**
 * Text fit to print in a log line or an error message: passwords in connection strings become
 * {@code ***}, and so does the whole value of a setting that holds a credential.
 */
public final class Redaction {

    private Redaction() {}

    /**
     * The text with the password of any {@code scheme://user:password@} or {@code password=}
     * hidden.
     */
    public static String text(String text) {
        return text.replaceAll("(://[^:/@]*:)[^@]*@", "$1***@")
                .replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    /**
     * A setting's value: {@code ***} for keys that name a password, token, secret or JAAS
     * configuration, else the value with {@link #text} applied; null stays null.
     */
    public static String setting(String key, String value) {
        if (value == null) {
            return null;
        }
        String k = key.toLowerCase(Locale.ROOT);
        if (k.contains("password")
                || k.contains("token")
                || k.contains("secret")
                || k.contains("jaas")) {
            return "***";
        }
        return text(value);
    }
}
