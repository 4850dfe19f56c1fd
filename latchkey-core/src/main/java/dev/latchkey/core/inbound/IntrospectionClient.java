package dev.latchkey.core.inbound;

import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.TokenIntrospectionRequest;
import com.nimbusds.oauth2.sdk.TokenIntrospectionResponse;
import com.nimbusds.oauth2.sdk.TokenIntrospectionSuccessResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Asks an RFC 7662 introspection endpoint about one token: a Nimbus {@link
 * TokenIntrospectionRequest} authenticated with {@code client_secret_basic}, sent with the JDK HTTP
 * client under one deadline for the whole exchange (connect, headers and body), with the answer
 * bounded in size and parsed by Nimbus's {@link TokenIntrospectionResponse}. Redirects are never
 * followed. Thread-safe; never throws: an endpoint that cannot be reached, answers late, answers
 * with an error or with something that is not an introspection answer yields {@link
 * Answer.Failed}, never a verdict on the token.
 */
final class IntrospectionClient {
    private final HttpClient http;
    private final Duration deadline;
    private final int maxResponseBytes;

    /** What the endpoint said about the token. */
    sealed interface Answer {
        /** {@code active: true}, with every member of the answer (RFC 7662 §2.2). */
        record Active(Map<String, Object> claims) implements Answer {}

        /** {@code active: false}: revoked, expired, unknown, or not for this client. */
        record Inactive() implements Answer {}

        /**
         * No verdict.
         *
         * @param reason a fixed code: {@code introspection_unavailable} (unreachable, timed out, 5xx)
         *     or {@code introspection_failed} (any other non-200 answer, or an answer that does not
         *     parse)
         */
        record Failed(String reason) implements Answer {}
    }

    IntrospectionClient(Duration deadline, int maxResponseBytes) {
        this.deadline = deadline;
        this.maxResponseBytes = maxResponseBytes;
        this.http = HttpClient.newBuilder()
                .connectTimeout(deadline)
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** Introspects {@code token} at {@code endpoint}; returns within about the deadline. */
    Answer introspect(IntrospectionEndpoint endpoint, String token) {
        HttpResponse<byte[]> response;
        try {
            HTTPRequest form = new TokenIntrospectionRequest(
                            endpoint.endpoint(),
                            new ClientSecretBasic(
                                    new ClientID(endpoint.clientId()),
                                    new com.nimbusds.oauth2.sdk.auth.Secret(
                                            endpoint.clientSecret().reveal())),
                            new BearerAccessToken(token))
                    .toHTTPRequest();
            HttpRequest request = HttpRequest.newBuilder(form.getURI())
                    .timeout(deadline)
                    .header("Authorization", form.getAuthorization())
                    .header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(form.getBody(), StandardCharsets.UTF_8))
                    .build();
            response = send(request);
        } catch (IOException e) {
            return new Answer.Failed("introspection_unavailable");
        } catch (RuntimeException e) {
            return new Answer.Failed("introspection_failed");
        }
        if (response == null) {
            return new Answer.Failed("introspection_unavailable");
        }
        int status = response.statusCode();
        if (status >= 500) {
            return new Answer.Failed("introspection_unavailable");
        }
        if (status != 200) {
            // RFC 7662 §2.3: 401 means Latchkey's own credentials were refused; no verdict on the token.
            return new Answer.Failed("introspection_failed");
        }
        return parse(response);
    }

    private @Nullable HttpResponse<byte[]> send(HttpRequest request) throws IOException {
        CompletableFuture<HttpResponse<byte[]>> exchange =
                http.sendAsync(request, info -> new BoundedBody(maxResponseBytes));
        try {
            return exchange.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            return null;
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException e) {
            throw new IOException("introspection request failed", e.getCause());
        }
    }

    private static Answer parse(HttpResponse<byte[]> response) {
        HTTPResponse answer = new HTTPResponse(200);
        response.headers().firstValue("Content-Type").ifPresent(type -> answer.setHeader("Content-Type", type));
        answer.setBody(new String(response.body(), StandardCharsets.UTF_8));
        try {
            TokenIntrospectionResponse parsed = TokenIntrospectionResponse.parse(answer);
            if (!parsed.indicatesSuccess()) {
                return new Answer.Failed("introspection_failed");
            }
            TokenIntrospectionSuccessResponse success = parsed.toSuccessResponse();
            return success.isActive() ? new Answer.Active(success.getParameters()) : new Answer.Inactive();
        } catch (ParseException | RuntimeException e) {
            return new Answer.Failed("introspection_failed");
        }
    }

    /** Collects a body of at most {@code limit} bytes; a longer one fails the exchange. */
    private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final int limit;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private Flow.@Nullable Subscription subscription;

        BoundedBody(int limit) {
            this.limit = limit;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer buffer : buffers) {
                if (bytes.size() + buffer.remaining() > limit) {
                    Flow.Subscription current = subscription;
                    if (current != null) {
                        current.cancel();
                    }
                    result.completeExceptionally(new IOException("introspection answer too large"));
                    return;
                }
                byte[] chunk = new byte[buffer.remaining()];
                buffer.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable error) {
            result.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            result.complete(bytes.toByteArray());
        }
    }
}
