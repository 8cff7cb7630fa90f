package dev.rlaif.common.http;

import io.javalin.Javalin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 401 answered before the body arrived must not cost the client its answer or its connection. Driven over a raw
 * socket so that most of the body arrives late, as it does on a loaded machine (the JDK client writes headers and
 * body separately): without {@link UnreadBody} the server answers, closes the connection it could not drain, and the
 * client's write of the rest of its body fails with a broken pipe, the error the gateway's and the scorer's fuzz
 * tests met once each in CI.
 */
class UnreadBodyTest {

    private Javalin app;

    @BeforeEach
    void start() {
        BearerTokens tokens = new BearerTokens(List.of("good"));
        app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.jetty.host = "127.0.0.1";
            cfg.routes.beforeMatched("/v1/*", tokens::check);
            cfg.routes.post("/v1/echo", ctx -> ctx.result("got " + ctx.body().length()));
        }).start(0);
    }

    @AfterEach
    void stop() {
        app.stop();
    }

    @Test
    void aRefusedRequestWhoseBodyArrivesLateLeavesTheConnectionUsable() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", app.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            byte[] body = ("{\"x\": \"" + "y".repeat(200_000) + "\"}").getBytes(StandardCharsets.UTF_8);
            out.write(("POST /v1/echo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, 1000);
            out.flush();
            Thread.sleep(300); // the injected fault: most of the body comes late, after the server has seen the headers
            out.write(body, 1000, body.length - 1000);
            out.flush();
            assertThat(readResponse(in)).startsWith("HTTP/1.1 401");

            out.write(("POST /v1/echo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer good\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String second = readResponse(in);
            assertThat(second).as("the same connection answers the next request").startsWith("HTTP/1.1 200").endsWith("got " + body.length);
        }
    }

    /** One response: status line and headers, then Content-Length bytes of body; "" if the connection closed. */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                break;
            }
        }
        String headers = head.toString(StandardCharsets.US_ASCII);
        int length = 0;
        for (String line : headers.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        return headers + new String(body, StandardCharsets.UTF_8);
    }
}
