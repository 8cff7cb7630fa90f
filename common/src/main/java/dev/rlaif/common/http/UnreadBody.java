package dev.rlaif.common.http;

import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;

/**
 * For an answer given before the request body was read (401, 415, a bad query parameter, 413 by length): reads and
 * drops the body first, up to {@value #SWALLOW_LIMIT} bytes (as Tomcat's {@code maxSwallowSize}), so the connection
 * stays usable. Without it the server closes a connection with unread bytes in it, the kernel answers the client's
 * remaining body with a reset, and the client gets no answer at all ("header parser received no bytes", broken
 * pipe) instead of the 4xx: the gateway's and the scorer's fuzz tests met exactly that. A longer body is not read;
 * the answer says {@code Connection: close} instead.
 */
public final class UnreadBody {

    /** Most bytes read and dropped to keep a connection open. */
    public static final long SWALLOW_LIMIT = 2L * 1024 * 1024;

    private UnreadBody() {
    }

    /** Reads and drops the request body (or, past the limit, says {@code Connection: close}). */
    public static void discard(Context ctx) {
        long length = ctx.contentLength();
        if (length > SWALLOW_LIMIT) {
            ctx.header("Connection", "close");
            return;
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] buffer = new byte[8192];
            long left = SWALLOW_LIMIT + 1;
            int n;
            while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) >= 0) {
                left -= n;
            }
            if (left <= 0) {
                ctx.header("Connection", "close");
            }
        } catch (IOException | RuntimeException e) {
            ctx.header("Connection", "close");
        }
    }
}
