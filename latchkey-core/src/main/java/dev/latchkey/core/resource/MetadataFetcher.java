package dev.latchkey.core.resource;

import dev.latchkey.core.resource.DiscoveryException.Reason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Unauthenticated GETs with hard bounds: one deadline for connect, headers and body together
 * (the exchange is cancelled when it passes), a body size limit enforced while reading, and no
 * redirects. Thread-safe.
 */
final class MetadataFetcher {
    private final HttpClient client;
    private final Duration timeout;
    private final int maxBodyBytes;

    MetadataFetcher(Duration timeout, int maxBodyBytes) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        if (maxBodyBytes <= 0) {
            throw new IllegalArgumentException("maxBodyBytes must be positive");
        }
        this.timeout = timeout;
        this.maxBodyBytes = maxBodyBytes;
        // Redirects are never followed: a redirect could lead past the URL policy.
        this.client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(timeout)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** A response: its status, its {@code WWW-Authenticate} values, and its body (UTF-8) when asked for. */
    record Response(int status, List<String> wwwAuthenticate, String body) {}

    /**
     * GETs {@code uri}; the body is read (up to the limit) only when {@code readBody}, otherwise
     * the exchange is cancelled as soon as the headers are in, so an endless stream costs nothing.
     *
     * @throws DiscoveryException {@link Reason#UNREACHABLE} on a connection failure or timeout,
     *     {@link Reason#BAD_METADATA} when the body exceeds the limit
     */
    Response get(URI uri, String accept, boolean readBody) throws DiscoveryException {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .GET()
                .timeout(timeout)
                .header("Accept", accept)
                .build();
        CompletableFuture<HttpResponse<byte[]>> exchange = client.sendAsync(
                request,
                info -> readBody
                        ? new LimitedBody(
                                maxBodyBytes,
                                info.headers()
                                        .firstValueAsLong("Content-Length")
                                        .orElse(-1))
                        : new NoBody());
        HttpResponse<byte[]> response;
        try {
            response = exchange.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw new DiscoveryException(
                    Reason.UNREACHABLE, DiscoveryException.origin(uri) + " did not answer within " + timeout);
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw new DiscoveryException(
                    Reason.UNREACHABLE, "interrupted while fetching from " + DiscoveryException.origin(uri));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof BodyTooLarge) {
                throw new DiscoveryException(
                        Reason.BAD_METADATA,
                        "the answer of " + DiscoveryException.origin(uri) + " exceeds " + maxBodyBytes + " bytes");
            }
            throw new DiscoveryException(
                    Reason.UNREACHABLE, DiscoveryException.origin(uri) + " cannot be reached", cause);
        }
        return new Response(
                response.statusCode(),
                response.headers().allValues("WWW-Authenticate"),
                new String(response.body(), StandardCharsets.UTF_8));
    }

    /** The body exceeded the limit; carries no part of it. */
    private static final class BodyTooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        BodyTooLarge() {
            super("response body too large");
        }
    }

    /** Collects the body and fails, cancelling the exchange, as soon as it exceeds the limit. */
    private static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final int limit;
        private final long declaredLength;
        private Flow.@Nullable Subscription subscription;

        LimitedBody(int limit, long declaredLength) {
            this.limit = limit;
            this.declaredLength = declaredLength;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            if (declaredLength > limit) {
                subscription.cancel();
                body.completeExceptionally(new BodyTooLarge());
                return;
            }
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (body.isDone()) {
                return;
            }
            for (ByteBuffer item : items) {
                if ((long) buffer.size() + item.remaining() > limit) {
                    Flow.Subscription current = subscription;
                    if (current != null) {
                        current.cancel();
                    }
                    body.completeExceptionally(new BodyTooLarge());
                    return;
                }
                byte[] chunk = new byte[item.remaining()];
                item.get(chunk);
                buffer.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            body.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            body.complete(buffer.toByteArray());
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }
    }

    /** Cancels the body at once: only the status and headers are wanted. */
    private static final class NoBody implements HttpResponse.BodySubscriber<byte[]> {
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.cancel();
            body.complete(new byte[0]);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {}

        @Override
        public void onError(Throwable throwable) {
            body.complete(new byte[0]);
        }

        @Override
        public void onComplete() {
            body.complete(new byte[0]);
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }
    }
}
