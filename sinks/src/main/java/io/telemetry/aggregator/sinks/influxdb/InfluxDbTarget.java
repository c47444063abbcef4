package io.telemetry.aggregator.sinks.influxdb;

import java.io.Serializable;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where points go: the v2 write API ({@code /api/v2/write?org=&bucket=}, token authentication) or
 * the v1 API ({@code /write?db=&rp=}, optional basic authentication), with millisecond timestamps.
 * Secrets stay out of {@link #toString()}.
 */
final class InfluxDbTarget implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String writeUrl;
    private final String authorization;
    private final String description;
    private final boolean v2;

    private InfluxDbTarget(String writeUrl, String authorization, String description, boolean v2) {
        this.writeUrl = writeUrl;
        this.authorization = authorization;
        this.description = description;
        this.v2 = v2;
    }

    boolean isV2() {
        return v2;
    }

    static InfluxDbTarget v2(String baseUrl, String org, String bucket, String token) {
        String url =
                trim(baseUrl)
                        + "/api/v2/write?precision=ms&bucket="
                        + encode(bucket)
                        + (org == null ? "" : "&org=" + encode(org));
        return new InfluxDbTarget(
                url,
                token == null ? null : "Token " + token,
                trim(baseUrl) + " bucket " + bucket + (org == null ? "" : " of " + org),
                true);
    }

    static InfluxDbTarget v1(
            String baseUrl, String database, String retentionPolicy, String user, String password) {
        String url =
                trim(baseUrl)
                        + "/write?precision=ms&db="
                        + encode(database)
                        + (retentionPolicy == null ? "" : "&rp=" + encode(retentionPolicy));
        String auth =
                user == null
                        ? null
                        : "Basic "
                                + Base64.getEncoder()
                                        .encodeToString(
                                                (user + ":" + (password == null ? "" : password))
                                                        .getBytes(StandardCharsets.UTF_8));
        return new InfluxDbTarget(url, auth, trim(baseUrl) + " database " + database, false);
    }

    private static String trim(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    URI writeUri() {
        return URI.create(writeUrl);
    }

    String authorization() {
        return authorization;
    }

    @Override
    public String toString() {
        return description;
    }
}
