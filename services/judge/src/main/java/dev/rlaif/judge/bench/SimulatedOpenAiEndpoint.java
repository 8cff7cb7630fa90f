package dev.rlaif.judge.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.rlaif.common.json.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * An OpenAI-compatible {@code POST /v1/chat/completions} server in the same JVM (the JDK's HttpServer), for the
 * judge's tests and its benchmark: each request is answered by a scripted {@link Behavior} (answers, latency, an
 * HTTP error status, garbage, a hang past the client's timeout), through at most {@code concurrency} requests at once
 * (the rest wait, as on a loaded model server). It can honour {@code n}, ignore it (Ollama) or reject it (400).
 * It counts requests, answers, and the time it was busy, from which the benchmark's capacity ratio comes.
 */
public final class SimulatedOpenAiEndpoint implements AutoCloseable {

    /** What the client asked, as the server sees it. */
    public record Request(int index, String model, String system, String user, int n, double temperature,
                          long receivedNanos) {
        /** Whether this is a critique request (the critique prompt), rather than a pairwise one. */
        public boolean critique() {
            return user.contains("[The Start of the Assistant's Response]");
        }

        /** The text of the first answer shown to the judge (pairwise) or the response (critique). */
        public String firstAnswer() {
            if (critique()) {
                return between(user, "[The Start of the Assistant's Response]\n", "\n[The End of the Assistant's Response]");
            }
            String fence = fence();
            return fence == null
                    ? between(user, "[The Start of Assistant A's Answer]\n", "\n[The End of Assistant A's Answer]")
                    : between(user, "<<<ASSISTANT A ANSWER " + fence + ">>>\n", "\n<<<END ASSISTANT A ANSWER " + fence + ">>>");
        }

        /** The text of the second answer shown to the judge. */
        public String secondAnswer() {
            String fence = fence();
            return fence == null
                    ? between(user, "[The Start of Assistant B's Answer]\n", "\n[The End of Assistant B's Answer]")
                    : between(user, "<<<ASSISTANT B ANSWER " + fence + ">>>\n", "\n<<<END ASSISTANT B ANSWER " + fence + ">>>");
        }

        /** The conversation block of a fenced (pairwise-v2) prompt, or "" for others. */
        public String conversation() {
            String fence = fence();
            return fence == null ? ""
                    : between(user, "<<<CONVERSATION " + fence + ">>>\n", "\n<<<END CONVERSATION " + fence + ">>>");
        }

        /** The fence token of a fenced (pairwise-v2) prompt, read as a model would: from its first line; else null. */
        public String fence() {
            String head = "Fence token for this request: ";
            if (!user.startsWith(head)) {
                return null;
            }
            int eol = user.indexOf('\n');
            return user.substring(head.length(), eol < 0 ? user.length() : eol).strip();
        }

        private static String between(String s, String open, String close) {
            int a = s.indexOf(open);
            int b = a < 0 ? -1 : s.indexOf(close, a + open.length());
            return a < 0 || b < 0 ? "" : s.substring(a + open.length(), b);
        }
    }

    /**
     * The server's answer to one request.
     *
     * @param status   HTTP status (200 for answers)
     * @param delayMs  time spent before answering (holding a concurrency slot)
     * @param contents the answers (choices); with n honoured the server returns what is given here
     * @param headers  extra response headers (Retry-After, say)
     * @param finishReason every choice's {@code finish_reason} ({@code stop}; {@code length} for an answer cut off
     *                     at the token limit)
     */
    public record Reply(int status, long delayMs, List<String> contents, Map<String, String> headers,
                        String finishReason) {
        public Reply(int status, long delayMs, List<String> contents, Map<String, String> headers) {
            this(status, delayMs, contents, headers, "stop");
        }

        public Reply(int status, long delayMs, List<String> contents) {
            this(status, delayMs, contents, Map.of());
        }

        /** Answers stopped at the token limit ({@code finish_reason: length}). */
        public static Reply cutOff(long delayMs, List<String> contents) {
            return new Reply(200, delayMs, contents, Map.of(), "length");
        }

        public static Reply answers(long delayMs, List<String> contents) {
            return new Reply(200, delayMs, contents);
        }

        public static Reply error(int status) {
            return new Reply(status, 0, List.of());
        }
    }

    /** How the server treats {@code n > 1}. */
    public enum NMode { HONOUR, IGNORE, REJECT }

    /** The scripted server. */
    @FunctionalInterface
    public interface Behavior extends Function<Request, Reply> {
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final Semaphore slots;
    private final Behavior behavior;
    private final NMode nMode;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger answered = new AtomicInteger();
    private final AtomicInteger outstanding = new AtomicInteger();
    private final AtomicInteger peakOutstanding = new AtomicInteger();
    private final AtomicLong choices = new AtomicLong();
    private final AtomicLong firstStart = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong lastEnd = new AtomicLong();
    private final AtomicLong busyNanos = new AtomicLong();
    private final List<Request> seen = new ArrayList<>();

    public SimulatedOpenAiEndpoint(int concurrency, NMode nMode, Behavior behavior) throws IOException {
        this(0, concurrency, nMode, behavior);
    }

    /** A server on {@code port} of the loopback interface (0: a free one). */
    public SimulatedOpenAiEndpoint(int port, int concurrency, NMode nMode, Behavior behavior) throws IOException {
        this.slots = new Semaphore(concurrency, true);
        this.behavior = behavior;
        this.nMode = nMode;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 256);
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "sim-llm");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/v1/chat/completions", this::handle);
        server.start();
    }

    /** Base URL to give the client ({@code http://127.0.0.1:PORT/v1}). */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    private void handle(HttpExchange exchange) throws IOException {
        peakOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
        try (exchange) {
            JsonNode body = Json.MAPPER.readTree(exchange.getRequestBody());
            String system = "";
            String user = "";
            for (JsonNode m : body.path("messages")) {
                if ("system".equals(m.path("role").asText())) {
                    system = m.path("content").asText();
                } else if ("user".equals(m.path("role").asText())) {
                    user = m.path("content").asText();
                }
            }
            int n = body.path("n").asInt(1);
            Request req = new Request(requests.getAndIncrement(), body.path("model").asText(), system, user, n,
                    body.path("temperature").asDouble(1.0), System.nanoTime());
            synchronized (seen) {
                seen.add(req);
            }
            if (n > 1 && nMode == NMode.REJECT) {
                send(exchange, 400, "{\"error\":{\"message\":\"n > 1 is not supported\",\"type\":\"invalid_request_error\",\"param\":\"n\"}}");
                return;
            }
            slots.acquireUninterruptibly();
            long start = System.nanoTime();
            firstStart.accumulateAndGet(start, Math::min);
            try {
                Reply reply = behavior.apply(req);
                if (reply.delayMs() > 0) {
                    Thread.sleep(reply.delayMs());
                }
                reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
                if (reply.status() != 200) {
                    send(exchange, reply.status(), "{\"error\":{\"message\":\"simulated " + reply.status()
                            + "\",\"type\":\"server_error\"}}");
                    return;
                }
                List<String> contents = reply.contents();
                if (nMode == NMode.IGNORE && contents.size() > 1) {
                    contents = contents.subList(0, 1);
                }
                send(exchange, 200, completion(req, contents, reply.finishReason()));
                answered.incrementAndGet();
                choices.addAndGet(contents.size());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                long end = System.nanoTime();
                busyNanos.addAndGet(end - start);
                lastEnd.accumulateAndGet(end, Math::max);
                slots.release();
            }
        } catch (IOException | RuntimeException e) {
            // the client went away (its timeout): nothing to answer
        } finally {
            outstanding.decrementAndGet();
        }
    }

    /** Most requests the client had open at once (being served or waiting for a slot). */
    public int peakOutstanding() {
        return peakOutstanding.get();
    }

    private static String completion(Request req, List<String> contents, String finishReason) throws IOException {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("id", "chatcmpl-" + req.index());
        root.put("object", "chat.completion");
        root.put("created", System.currentTimeMillis() / 1000);
        root.put("model", req.model());
        ArrayNode choices = root.putArray("choices");
        int tokens = 0;
        for (int i = 0; i < contents.size(); i++) {
            ObjectNode c = choices.addObject();
            c.put("index", i);
            ObjectNode m = c.putObject("message");
            m.put("role", "assistant");
            m.put("content", contents.get(i));
            c.put("finish_reason", finishReason);
            tokens += Math.max(1, contents.get(i).length() / 4);
        }
        ObjectNode usage = root.putObject("usage");
        int prompt = (req.system().length() + req.user().length()) / 4;
        usage.put("prompt_tokens", prompt);
        usage.put("completion_tokens", tokens);
        usage.put("total_tokens", prompt + tokens);
        return Json.MAPPER.writeValueAsString(root);
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Requests received (rejected and failed ones included). */
    public int requests() {
        return requests.get();
    }

    /** Requests answered with 200. */
    public int answered() {
        return answered.get();
    }

    /** Answers (choices) returned. */
    public long choices() {
        return choices.get();
    }

    /** Nanoseconds from the first request taking a slot to the last one leaving it. */
    public long activeNanos() {
        long first = firstStart.get();
        return first == Long.MAX_VALUE ? 0 : lastEnd.get() - first;
    }

    /** Sum over requests of the time each held a slot. */
    public long busyNanos() {
        return busyNanos.get();
    }

    /** The requests received so far, in arrival order. */
    public List<Request> seen() {
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }

    /**
     * Serves the benchmark's scripted judge (a verdict for the longer answer, a fixed critique) until killed, to try
     * {@code ./rlaif demo --llm-url http://127.0.0.1:PORT/v1 --llm-model sim} without a GPU.
     * Arguments: {@code [port [latencyMs [concurrency]]]}, default 8089, 200 ms, 16.
     */
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8089;
        long latency = args.length > 1 ? Long.parseLong(args[1]) : 200;
        int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        SimulatedOpenAiEndpoint server = new SimulatedOpenAiEndpoint(port, concurrency, NMode.HONOUR,
                JudgeBench.behavior(latency));
        System.out.println("simulated OpenAI-compatible judge at " + server.baseUrl());
        Thread.currentThread().join();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
