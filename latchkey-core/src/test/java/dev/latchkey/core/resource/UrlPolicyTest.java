package dev.latchkey.core.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latchkey.core.resource.DiscoveryException.Reason;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which URLs may be fetched, and the SSRF guard for user-supplied ones. */
class UrlPolicyTest {
    private static final UrlPolicy STRICT = UrlPolicy.httpsOnly();
    private static final UrlPolicy DEVELOPMENT = new UrlPolicy(true, false);

    /** A name service for the test: fixed answers, unknown names fail as DNS would. */
    private static UrlPolicy guarded(boolean allowInsecureLoopback, Map<String, String[]> names) {
        return new UrlPolicy(allowInsecureLoopback, true, host -> {
            String[] literals = names.get(host);
            if (literals == null) {
                if (host.matches("[0-9.]+|[0-9a-fA-F:.]+")) {
                    return new InetAddress[] {InetAddress.getByName(host)};
                }
                throw new UnknownHostException(host);
            }
            InetAddress[] addresses = new InetAddress[literals.length];
            for (int i = 0; i < literals.length; i++) {
                addresses[i] = InetAddress.getByName(literals[i]);
            }
            return addresses;
        });
    }

    private static Reason refusal(UrlPolicy policy, String url) {
        try {
            policy.check(URI.create(url));
        } catch (DiscoveryException e) {
            return e.reason();
        }
        throw new AssertionError(url + " was allowed");
    }

    @Test
    void check_https_allowedUnchanged() throws DiscoveryException {
        URI uri = URI.create("https://mcp.example.com/v1/mcp?x=1");

        assertThat(STRICT.check(uri)).isSameAs(uri);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:8080/mcp", "http://localhost/mcp", "http://[::1]:9000/"})
    void check_httpLoopback_onlyWithDevelopmentFlag(String url) throws DiscoveryException {
        assertThat(refusal(STRICT, url)).isEqualTo(Reason.INSECURE_URL);
        assertThat(DEVELOPMENT.check(URI.create(url))).isEqualTo(URI.create(url));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://mcp.example.com/",
                "http://10.0.0.1/",
                "http://localhost.example.com/",
                "http://127.0.0.1.nip.io/",
                "ftp://127.0.0.1/",
                "file:///etc/passwd",
                "mailto:a@example.com",
                "/relative/path",
                "https://user:pw@mcp.example.com/",
                "https://mcp.example.com/#fragment",
                "https:///no-host"
            })
    void check_notHttpsOrMalformed_insecureUrlEvenInDevelopment(String url) {
        assertThat(refusal(DEVELOPMENT, url)).isEqualTo(Reason.INSECURE_URL);
    }

    @Test
    void check_refused_messageNamesOriginOnly() {
        assertThatThrownBy(
                        () -> STRICT.check(URI.create("http://user:hunter2@mcp.example.com:8443/p/tok3n?key=s3cret")))
                .isInstanceOfSatisfying(
                        DiscoveryException.class,
                        e -> assertThat(e.getMessage())
                                .contains("http://mcp.example.com:8443")
                                .doesNotContain("hunter2", "tok3n", "s3cret"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://127.0.0.1/",
                "https://127.1.2.3/",
                "https://[::1]/",
                "https://10.1.2.3/",
                "https://172.16.0.1/",
                "https://172.31.255.255/",
                "https://192.168.1.1/",
                "https://169.254.169.254/latest/meta-data/",
                "https://[fe80::1]/",
                "https://0.0.0.0/",
                "https://0.1.2.3/",
                "https://[::]/",
                "https://224.0.0.1/",
                "https://[ff02::1]/",
                "https://100.64.0.1/",
                "https://255.255.255.255/",
                "https://[fd12:3456::1]/",
                "https://[fc00::1]/",
                "https://[fec0::1]/",
                "https://[::ffff:10.0.0.1]/",
                "https://[::ffff:169.254.169.254]/",
                "https://[64:ff9b::a9fe:a9fe]/",
                "https://[2002:c0a8:0101::1]/",
                "https://2130706433/"
            })
    void check_guardOn_internalAddressForbidden(String url) {
        assertThat(refusal(guarded(false, Map.of()), url)).isEqualTo(Reason.FORBIDDEN_ADDRESS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://93.184.215.14/", "https://[2606:4700:4700::1111]/", "https://172.32.0.1/"})
    void check_guardOn_publicAddressAllowed(String url) throws DiscoveryException {
        assertThat(guarded(false, Map.of()).check(URI.create(url))).isEqualTo(URI.create(url));
    }

    @Test
    void check_guardOn_namesJudgedByEveryAddressTheyResolveTo() throws DiscoveryException {
        UrlPolicy policy = guarded(
                false,
                Map.of(
                        "public.example", new String[] {"93.184.215.14", "2606:4700:4700::1111"},
                        "internal.example", new String[] {"10.0.0.5"},
                        "mixed.example", new String[] {"93.184.215.14", "192.168.0.10"},
                        "localhost", new String[] {"127.0.0.1"}));

        assertThat(policy.check(URI.create("https://public.example/mcp"))).isNotNull();
        assertThat(refusal(policy, "https://internal.example/mcp")).isEqualTo(Reason.FORBIDDEN_ADDRESS);
        assertThat(refusal(policy, "https://mixed.example/mcp")).isEqualTo(Reason.FORBIDDEN_ADDRESS);
        assertThat(refusal(policy, "https://localhost/mcp")).isEqualTo(Reason.FORBIDDEN_ADDRESS);
        assertThat(refusal(policy, "https://nowhere.example/mcp")).isEqualTo(Reason.UNREACHABLE);
    }

    @Test
    void check_guardOnWithDevelopmentFlag_loopbackAllowedPrivateStillForbidden() throws DiscoveryException {
        UrlPolicy policy = guarded(true, Map.of("localhost", new String[] {"127.0.0.1", "::1"}));

        assertThat(policy.check(URI.create("http://localhost:8080/mcp"))).isNotNull();
        assertThat(policy.check(URI.create("http://127.0.0.1:8080/mcp"))).isNotNull();
        assertThat(policy.check(URI.create("https://[::1]/mcp"))).isNotNull();
        assertThat(refusal(policy, "https://10.0.0.1/mcp")).isEqualTo(Reason.FORBIDDEN_ADDRESS);
        assertThat(refusal(policy, "https://169.254.169.254/")).isEqualTo(Reason.FORBIDDEN_ADDRESS);
    }

    @Test
    void check_guardOff_noResolution() throws DiscoveryException {
        UrlPolicy policy = new UrlPolicy(false, false, host -> {
            throw new AssertionError("resolved " + host);
        });

        assertThat(policy.check(URI.create("https://10.0.0.1/"))).isNotNull();
    }

    @Property
    void isInternal_ipv4InNat64Prefix_judgedAsTheIpv4Address(
            @ForAll byte a, @ForAll byte b, @ForAll byte c, @ForAll byte d) throws UnknownHostException {
        InetAddress v4 = InetAddress.getByAddress(new byte[] {a, b, c, d});
        byte[] nat64 = {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, a, b, c, d};

        assertThat(UrlPolicy.isInternal(InetAddress.getByAddress(nat64))).isEqualTo(UrlPolicy.isInternal(v4));
    }
}
