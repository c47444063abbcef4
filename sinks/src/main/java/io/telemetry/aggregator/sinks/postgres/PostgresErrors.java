package io.telemetry.aggregator.sinks.postgres;

import java.sql.SQLException;

/** Tells lasting PostgreSQL errors from passing ones, and says them in one line. */
final class PostgresErrors {

    private PostgresErrors() {}

    /** Wrong credentials, a missing database or missing rights: retrying cannot help. */
    static boolean isPermanent(SQLException e) {
        String state = e.getSQLState();
        return state != null
                && (state.startsWith("28") // invalid authorization / password
                        || state.equals("3D000") // database does not exist
                        || state.equals("42501")); // insufficient privilege
    }

    static String describe(SQLException e, String where) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.equals("28P01")) {
            return "PostgreSQL at " + where + " rejected the password: " + e.getMessage();
        }
        if (state.startsWith("28")) {
            return "PostgreSQL at " + where + " refused the login: " + e.getMessage();
        }
        if (state.equals("3D000")) {
            return "PostgreSQL at " + where + ": " + e.getMessage();
        }
        if (state.startsWith("08")) {
            return "Cannot connect to PostgreSQL at " + where + ": " + e.getMessage();
        }
        return "PostgreSQL at " + where + " failed: " + e.getMessage();
    }
}
