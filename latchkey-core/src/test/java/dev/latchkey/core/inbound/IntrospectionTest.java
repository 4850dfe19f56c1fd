package dev.latchkey.core.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.latchkey.core.identity.ApiKeyVerifier;
import dev.latchkey.core.identity.IdentityPolicies;
import dev.latchkey.core.identity.IdentityPolicy;
import dev.latchkey.core.identity.IdentityResolver;
import dev.latchkey.core.identity.InMemoryUserDirectory;
import dev.latchkey.core.identity.Principal;
import dev.latchkey.core.identity.RecordingAuditLog;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.tenant.TenantId;
import dev.latchkey.core.testing.TestClock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import okhttp3.mockwebserver.RecordedRequest;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RFC 7662 introspection of opaque tokens against mock-oauth2-server's real introspection endpoint,
 * the one its discovery document publishes as {@code introspection_endpoint}.
 *
 * <p>That endpoint knows only the JWTs the server signed itself: it answers {@code active: true}
 * with the token's claims for those, {@code active: false} for anything else. To have a token that
 * Latchkey treats as opaque and the endpoint still recognises, {@link #opaque} inserts a {@code ~}
 * into the signature segment of one of its JWTs: the result is an RFC 6750 {@code b64token} that is
 * not a JWS compact serialisation (so Latchkey never parses it and must ask), while the endpoint's
 * Nimbus parser skips characters outside the base64url alphabet and verifies the signature as
 * before. Tokens the endpoint has never seen ({@code 2YotnFZFEjr1zCsicMWpAA}, RFC 6749 §4.1.4) show
 * the inactive path. Failure paths the mock cannot produce (5xx, a silent peer, a refused port, a
 * non-bearer answer) use real loopback sockets.
 */
class IntrospectionTest {
    private static final TenantId A = TenantId.of("t-a");
    private static final TenantId B = TenantId.of("t-b");
    private static final String AUDIENCE = "latchkey-api";
    private static final String CLIENT_ID = "latchkey-rs";
    private static final String CLIENT_SECRET = "introspection-s3cret";
    private static final String UNKNOWN_OPAQUE = "2YotnFZFEjr1zCsicMWpAA";
    private static MockOAuth2Server idp;

    private final TestClock clock = new TestClock(Instant.now());
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void startIssuer() throws UnknownHostException {
        idp = new MockOAuth2Server();
        idp.start(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0);
    }

    @AfterAll
    static void stopIssuer() {
        idp.shutdown();
    }

    private static String issuer(String id) {
        return idp.issuerUrl(id).toString();
    }

    /** The endpoint the issuer publishes in its discovery document. */
    private static URI publishedIntrospectionEndpoint(MockOAuth2Server server, String issuerId) {
        try (HttpClient http = HttpClient.newHttpClient()) {
            String document = http.send(
                            HttpRequest.newBuilder(URI.create(
                                            server.wellKnownUrl(issuerId).toString()))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            return URI.create(JSONObjectUtils.getString(JSONObjectUtils.parse(document), "introspection_endpoint"));
        } catch (IOException | ParseException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static IntrospectionEndpoint endpoint(URI uri) {
        return new IntrospectionEndpoint(uri, CLIENT_ID, Secret.of(CLIENT_SECRET));
    }

    private static IssuerPolicy.Builder introspected(String issuerId) {
        return IssuerPolicy.forIssuer(issuer(issuerId))
                .audience(AUDIENCE)
                .allowInsecureLoopback(true)
                .introspection(endpoint(publishedIntrospectionEndpoint(idp, issuerId)));
    }

    private BearerValidator validator(Map<TenantId, List<IssuerPolicy>> policies) {
        return validator(policies, ValidatorSettings.defaults());
    }

    private BearerValidator validator(Map<TenantId, List<IssuerPolicy>> policies, ValidatorSettings settings) {
        return new BearerValidator(policies, clock, recordingListener(), settings);
    }

    private BearerValidator validatorOfA(UnaryOperator<IssuerPolicy.Builder> adjust) {
        return validator(Map.of(A, List.of(adjust.apply(introspected("idp-a")).build())));
    }

    private BearerValidator.Listener recordingListener() {
        return new BearerValidator.Listener() {
            @Override
            public void accepted(TenantId tenant) {
                events.add("accepted " + tenant);
            }

            @Override
            public void rejected(@Nullable TenantId tenant, String reason) {
                events.add("rejected " + tenant + " " + reason);
            }

            @Override
            public void unavailable(@Nullable TenantId tenant, String reason) {
                events.add("unavailable " + tenant + " " + reason);
            }

            @Override
            public void introspected(String issuer) {
                events.add("introspected " + issuer);
            }
        };
    }

    private long introspections() {
        return events.stream()
                .filter(event -> event.startsWith("introspected "))
                .count();
    }

    private static String jwt(String issuerId, String subject, String audience, Map<String, Object> claims) {
        return idp.issueToken(issuerId, subject, audience, claims, 3600).serialize();
    }

    /** A JWT of the mock, made opaque to Latchkey but still known to the mock (see class comment). */
    private static String opaque(String jwt) {
        int signature = jwt.lastIndexOf('.') + 1;
        String token = jwt.substring(0, signature) + "~" + jwt.substring(signature);
        assertThat(TokenShape.isOpaque(token)).isTrue();
        return token;
    }

    private static Validation validate(BearerValidator validator, @Nullable TenantId hint, String token) {
        return validator.validate(hint, Secret.of(token));
    }

    private static void assertInvalid(Validation outcome, String reason) {
        assertThat(outcome)
                .isInstanceOfSatisfying(
                        Validation.Invalid.class,
                        invalid -> assertThat(invalid.reason()).isEqualTo(reason));
    }

    @Test
    void validate_opaqueTokenTheIssuerVouchesFor_validWithTheAnswersClaims() {
        BearerValidator validator = validatorOfA(policy -> policy);
        String jwt = jwt("idp-a", "alice", AUDIENCE, Map.of("scope", "openid tokens:read"));

        Validation outcome = validate(validator, null, opaque(jwt));

        assertThat(outcome).isInstanceOfSatisfying(Validation.Valid.class, valid -> {
            VerifiedToken token = valid.token();
            assertThat(token.tenant()).isEqualTo(A);
            assertThat(token.issuer()).isEqualTo(issuer("idp-a"));
            assertThat(token.subject()).isEqualTo("alice");
            assertThat(token.audiences()).containsExactly(AUDIENCE);
            assertThat(token.scopes()).containsExactlyInAnyOrder("openid", "tokens:read");
            assertThat(token.claims()).containsEntry("active", true).containsEntry("token_type", "Bearer");
            assertThat(token.expiresAt()).isAfter(clock.instant().plusSeconds(3500));
        });
        assertThat(events).containsExactly("introspected " + issuer("idp-a"), "accepted " + A);
    }

    @Test
    void validate_opaqueTokenTheIssuerDoesNotKnow_inactive() {
        BearerValidator validator = validatorOfA(policy -> policy);

        Validation outcome = validate(validator, A, UNKNOWN_OPAQUE);

        assertThat(outcome).isEqualTo(new Validation.Invalid("inactive", "The token is not active."));
        assertThat(events).containsExactly("introspected " + issuer("idp-a"), "rejected " + A + " inactive");
    }

    @Test
    void validate_jwtShapedTokens_judgedAsJwtsAndNeverIntrospected() {
        BearerValidator validator = validatorOfA(policy -> policy);
        String jwt = jwt("idp-a", "alice", AUDIENCE, Map.of());
        int inSignature = jwt.lastIndexOf('.') + 10;
        String forged = jwt.substring(0, inSignature)
                + (jwt.charAt(inSignature) == 'A' ? 'B' : 'A')
                + jwt.substring(inSignature + 1);

        assertThat(validate(validator, A, jwt)).isInstanceOf(Validation.Valid.class);
        assertInvalid(validate(validator, A, forged), "bad_signature");
        assertInvalid(validate(validator, A, "not.a.jwt"), "malformed");
        assertThat(introspections()).isZero();
    }

    @Test
    void validate_opaqueTokenOfTenantWithoutIntrospection_malformedAndNeverSent() {
        IssuerPolicy plain = IssuerPolicy.forIssuer(issuer("idp-b"))
                .audience(AUDIENCE)
                .allowInsecureLoopback(true)
                .build();
        BearerValidator validator =
                validator(Map.of(A, List.of(introspected("idp-a").build()), B, List.of(plain)));
        String token = opaque(jwt("idp-b", "bob", AUDIENCE, Map.of()));

        assertInvalid(validate(validator, B, token), "malformed");
        assertThat(introspections()).isZero();
    }

    @Test
    void validate_noIntrospectionAnywhere_opaqueTokenMalformedAsBefore() {
        BearerValidator validator = validator(Map.of(
                A,
                List.of(IssuerPolicy.forIssuer(issuer("idp-a"))
                        .audience(AUDIENCE)
                        .allowInsecureLoopback(true)
                        .build())));

        assertThat(validate(validator, null, UNKNOWN_OPAQUE))
                .isEqualTo(new Validation.Invalid("malformed", "The token is not a well-formed signed JWT."));
        assertThat(introspections()).isZero();
    }

    @Test
    void validate_noHintWhileTwoTenantsIntrospect_ambiguousAndNeverSent() {
        BearerValidator validator = validator(Map.of(
                A, List.of(introspected("idp-a").build()),
                B, List.of(introspected("idp-b").build())));
        String token = opaque(jwt("idp-a", "alice", AUDIENCE, Map.of()));

        assertInvalid(validate(validator, null, token), "ambiguous_tenant");
        assertThat(introspections()).isZero();
        assertThat(validate(validator, A, token)).isInstanceOf(Validation.Valid.class);
        assertInvalid(validate(validator, B, token), "inactive");
    }

    @Test
    void validate_twoIntrospectingIssuersOfOneTenant_askedInOrderUntilOneVouches() {
        BearerValidator validator = validator(Map.of(
                A, List.of(introspected("idp-a").build(), introspected("idp-a2").build())));
        String token = opaque(jwt("idp-a2", "alice", AUDIENCE, Map.of()));

        Validation outcome = validate(validator, A, token);

        assertThat(outcome)
                .isInstanceOfSatisfying(
                        Validation.Valid.class,
                        valid -> assertThat(valid.token().issuer()).isEqualTo(issuer("idp-a2")));
        assertThat(events)
                .containsExactly(
                        "introspected " + issuer("idp-a"), "introspected " + issuer("idp-a2"), "accepted " + A);
    }

    @Test
    void validate_activeTokenForAnotherAudience_audienceMismatch() {
        BearerValidator validator = validatorOfA(policy -> policy);
        String token = opaque(jwt("idp-a", "alice", "another-api", Map.of()));

        assertInvalid(validate(validator, A, token), "audience_mismatch");
    }

    @Test
    void validate_activeAnswerNamingAnotherIssuer_issuerNotTrusted() {
        // The policy trusts idp-a but (misconfigured) asks idp-b's endpoint, which vouches for its own token.
        BearerValidator validator =
                validatorOfA(policy -> policy.introspection(endpoint(publishedIntrospectionEndpoint(idp, "idp-b"))));
        String token = opaque(jwt("idp-b", "alice", AUDIENCE, Map.of()));

        assertInvalid(validate(validator, A, token), "issuer_not_trusted");
    }

    @Test
    void validate_activeAnswerWhoseExpHasPassedByOurClock_expired() {
        BearerValidator validator = validatorOfA(policy -> policy.clockSkew(Duration.ofSeconds(30)));
        String token =
                opaque(idp.issueToken("idp-a", "alice", AUDIENCE, Map.of(), 60).serialize());
        clock.advance(Duration.ofSeconds(91));

        assertInvalid(validate(validator, A, token), "expired");
        assertThat(introspections()).isEqualTo(1);
    }

    @Test
    void validate_sameActiveTokenAgain_answeredFromCacheForAtMostSixtySeconds() {
        BearerValidator validator = validatorOfA(policy -> policy);
        String token = opaque(jwt("idp-a", "alice", AUDIENCE, Map.of()));

        assertThat(validate(validator, A, token)).isInstanceOf(Validation.Valid.class);
        assertThat(validate(validator, A, token)).isInstanceOf(Validation.Valid.class);
        assertThat(introspections()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(OpaqueTokenValidator.MAX_POSITIVE_SECONDS + 1));
        assertThat(validate(validator, A, token)).isInstanceOf(Validation.Valid.class);
        assertThat(introspections()).isEqualTo(2);
    }

    @Test
    void validate_activeTokenExpiringSoon_neverCachedBeyondItsExp() {
        BearerValidator validator = validatorOfA(policy -> policy);
        String token =
                opaque(idp.issueToken("idp-a", "alice", AUDIENCE, Map.of(), 20).serialize());

        assertThat(validate(validator, A, token)).isInstanceOf(Validation.Valid.class);
        clock.advance(Duration.ofSeconds(21));
        // Still within the 60 s skew for our exp check, and active for the mock (real time): asked again.
        assertThat(validate(validator, A, token)).isInstanceOf(Validation.Valid.class);

        assertThat(introspections()).isEqualTo(2);
    }

    @Test
    void validate_inactiveTokenAgain_rememberedOnlyAFewSeconds() {
        BearerValidator validator = validatorOfA(policy -> policy);

        assertInvalid(validate(validator, A, UNKNOWN_OPAQUE), "inactive");
        assertInvalid(validate(validator, A, UNKNOWN_OPAQUE), "inactive");
        assertThat(introspections()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(OpaqueTokenValidator.NEGATIVE_SECONDS + 1));
        assertInvalid(validate(validator, A, UNKNOWN_OPAQUE), "inactive");
        assertThat(introspections()).isEqualTo(2);
    }

    @Test
    void introspect_sendsTheTokenWithClientSecretBasic() throws Exception {
        MockOAuth2Server own = new MockOAuth2Server();
        own.start(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0);
        try {
            URI endpoint = publishedIntrospectionEndpoint(own, "idp-c");
            own.takeRequest(); // the discovery request above
            BearerValidator validator = validator(Map.of(
                    A,
                    List.of(IssuerPolicy.forIssuer(own.issuerUrl("idp-c").toString())
                            .audience(AUDIENCE)
                            .allowInsecureLoopback(true)
                            .introspection(endpoint(endpoint))
                            .build())));

            assertInvalid(validate(validator, A, UNKNOWN_OPAQUE), "inactive");

            RecordedRequest request = own.takeRequest();
            assertThat(request.getMethod()).isEqualTo("POST");
            assertThat(request.getPath()).isEqualTo("/idp-c/introspect");
            String basic = Base64.getEncoder()
                    .encodeToString((CLIENT_ID + ":" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
            assertThat(request.getHeader("Authorization")).isEqualTo("Basic " + basic);
            assertThat(request.getBody().readUtf8()).contains("token=" + UNKNOWN_OPAQUE);
        } finally {
            own.shutdown();
        }
    }

    @Test
    void validate_endpointRefusesConnections_unavailableAndNotRemembered() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        BearerValidator validator = validatorOfA(
                policy -> policy.introspection(endpoint(URI.create("http://127.0.0.1:" + closedPort + "/introspect"))));

        Validation first = validate(validator, A, UNKNOWN_OPAQUE);
        Validation second = validate(validator, A, UNKNOWN_OPAQUE);

        assertThat(first).isInstanceOfSatisfying(Validation.Unavailable.class, unavailable -> {
            assertThat(unavailable.reason()).isEqualTo("introspection_unavailable");
            assertThat(unavailable.retryAfter()).isPositive();
        });
        assertThat(second).isEqualTo(first);
        assertThat(introspections()).isEqualTo(2);
    }

    @Test
    void validate_endpointAnswers503_unavailable() {
        try (KeyServer broken = KeyServer.start()) {
            broken.answerWith(503);
            BearerValidator validator =
                    validatorOfA(policy -> policy.introspection(endpoint(broken.uri("/introspect"))));

            assertThat(validate(validator, A, UNKNOWN_OPAQUE))
                    .isInstanceOfSatisfying(
                            Validation.Unavailable.class,
                            unavailable -> assertThat(unavailable.reason()).isEqualTo("introspection_unavailable"));
            assertThat(broken.hits("/introspect")).isEqualTo(1);
        }
    }

    @Test
    void validate_endpointAnswersSomethingElse_unavailableNeverValid() {
        try (KeyServer odd = KeyServer.start()) {
            BearerValidator validator =
                    validatorOfA(policy -> policy.introspection(endpoint(odd.uri(KeyServer.DISCOVERY_PATH))));

            odd.serveDiscovery("{\"active\":\"yes\",\"sub\":\"alice\",\"aud\":\"" + AUDIENCE + "\"}");
            Validation notBoolean = validate(validator, A, UNKNOWN_OPAQUE);
            odd.serveDiscovery("<html>login</html>");
            Validation notJson = validate(validator, A, "other-opaque-token");

            assertThat(List.of(notBoolean, notJson))
                    .allSatisfy(outcome -> assertThat(outcome)
                            .isInstanceOfSatisfying(
                                    Validation.Unavailable.class,
                                    unavailable ->
                                            assertThat(unavailable.reason()).isEqualTo("introspection_failed")));
        }
    }

    @Test
    void validate_activeAnswerForADpopToken_wrongType() {
        try (KeyServer server = KeyServer.start()) {
            String issuer = server.origin();
            server.serveDiscovery("{\"active\":true,\"iss\":\"" + issuer + "\",\"sub\":\"alice\",\"aud\":\"" + AUDIENCE
                    + "\",\"token_type\":\"DPoP\"}");
            BearerValidator validator = validator(Map.of(
                    A,
                    List.of(IssuerPolicy.forIssuer(issuer)
                            .audience(AUDIENCE)
                            .allowInsecureLoopback(true)
                            .introspection(endpoint(server.uri(KeyServer.DISCOVERY_PATH)))
                            .build())));

            assertInvalid(validate(validator, A, UNKNOWN_OPAQUE), "wrong_type");
        }
    }

    @Test
    void validate_endpointNeverAnswers_unavailableWithinTheDeadline() throws IOException {
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = Collections.synchronizedList(new ArrayList<>());
            Thread.ofVirtual().start(() -> {
                try {
                    while (!silent.isClosed()) {
                        accepted.add(silent.accept());
                    }
                } catch (IOException e) {
                    // closed at the end of the test
                }
            });
            ValidatorSettings quick = new ValidatorSettings(
                    Duration.ofMinutes(5),
                    Duration.ofSeconds(30),
                    Duration.ofHours(1),
                    Duration.ofMillis(300),
                    256 * 1024,
                    10_000,
                    Duration.ofMinutes(5));
            BearerValidator validator = validator(
                    Map.of(
                            A,
                            List.of(introspected("idp-a")
                                    .introspection(endpoint(
                                            URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/introspect")))
                                    .build())),
                    quick);

            long started = System.nanoTime();
            Validation outcome = validate(validator, A, UNKNOWN_OPAQUE);
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(outcome)
                    .isInstanceOfSatisfying(
                            Validation.Unavailable.class,
                            unavailable -> assertThat(unavailable.reason()).isEqualTo("introspection_unavailable"));
            assertThat(took).isLessThan(Duration.ofSeconds(5));
            assertThat(accepted).isNotEmpty();
            for (Socket socket : accepted) {
                socket.close();
            }
        }
    }

    @Test
    void authenticate_opaqueToken_sameIdentityAndScopePathAsJwts() {
        IdentityResolver identities = new IdentityResolver(
                new InMemoryUserDirectory(),
                IdentityPolicies.of(
                        Map.of(A, IdentityPolicy.defaults().withProvisioning(IdentityPolicy.Provisioning.JIT))),
                new RecordingAuditLog(),
                clock);
        CredentialAuthenticator authenticator = new CredentialAuthenticator(
                validatorOfA(policy -> policy.requiredScopes("tokens:read")), identities, ApiKeyVerifier.DISABLED);
        Secret withScope = Secret.of(opaque(jwt("idp-a", "alice", AUDIENCE, Map.of("scope", "tokens:read"))));
        Secret withoutScope = Secret.of(opaque(jwt("idp-a", "bob", AUDIENCE, Map.of("scope", "openid"))));

        AuthOutcome granted = authenticator.authenticate(new Credentials(null, withScope, null), Set.of());
        AuthOutcome refused = authenticator.authenticate(new Credentials(null, withoutScope, null), Set.of());

        assertThat(granted).isInstanceOfSatisfying(AuthOutcome.Authenticated.class, authenticated -> {
            assertThat(authenticated.principal().tenant()).isEqualTo(A);
            assertThat(authenticated.principal().kind()).isEqualTo(Principal.Kind.USER);
            assertThat(authenticated.principal().scopes()).contains("tokens:read");
        });
        assertThat(refused).isEqualTo(new AuthOutcome.InsufficientScope(Set.of("tokens:read")));
    }

    @Test
    void issuerPolicy_introspectionOfTemplateOrOverPlainHttp_refused() {
        IntrospectionEndpoint loopback = endpoint(URI.create("http://127.0.0.1:8443/introspect"));

        assertThatThrownBy(() -> IssuerPolicy.forTemplate(
                                "https://login.microsoftonline.com/{tenantid}/v2.0",
                                Set.of("6f1f0b0e-8d4e-4f4a-9c1a-0d6f1c2b3a4e"))
                        .audience(AUDIENCE)
                        .introspection(endpoint(URI.create("https://login.example.com/introspect")))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("introspection applies only to an exact issuer");
        assertThatThrownBy(() -> IssuerPolicy.forIssuer("https://idp.example.com")
                        .audience(AUDIENCE)
                        .introspection(loopback)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("introspection endpoint must be an absolute https URL");
        assertThat(IssuerPolicy.forIssuer("https://idp.example.com")
                        .audience(AUDIENCE)
                        .allowInsecureLoopback(true)
                        .introspection(loopback)
                        .build()
                        .introspectionEndpoint())
                .contains(loopback);
    }

    @Test
    void introspectionEndpoint_toString_neverShowsTheSecret() {
        assertThat(endpoint(URI.create("https://idp.example.com/introspect")).toString())
                .doesNotContain(CLIENT_SECRET)
                .contains(CLIENT_ID);
    }
}
