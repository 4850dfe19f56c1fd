package dev.latchkey.app.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

class LogbackConfigurationTest {
    private static final String LEVEL_PROPERTY = "LATCHKEY_LOG_LEVEL";

    @AfterEach
    void clearLevel() {
        System.clearProperty(LEVEL_PROPERTY);
    }

    private static LoggerContext configured() throws JoranException {
        URL config = Objects.requireNonNull(LogbackConfigurationTest.class.getResource("/logback.xml"));
        LoggerContext context = new LoggerContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(config);
        return context;
    }

    @Test
    void shippedConfiguration_writesJsonAtInfo_andQuietsLibraries() throws JoranException {
        LoggerContext context = configured();

        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.INFO);
        assertThat(context.getLogger("org.eclipse.jetty").getLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("com.zaxxer.hikari").getLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("org.flywaydb").getLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDOUT"))
                .isInstanceOfSatisfying(
                        ConsoleAppender.class,
                        appender -> assertThat(appender.getEncoder()).isInstanceOf(RedactingJsonEncoder.class));
        context.stop();
    }

    @Test
    void levelProperty_overridesRootAndLibraries() throws JoranException {
        System.setProperty(LEVEL_PROPERTY, "DEBUG");

        LoggerContext context = configured();

        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.DEBUG);
        assertThat(context.getLogger("org.eclipse.jetty").getLevel()).isEqualTo(Level.DEBUG);
        assertThat(context.getLogger("org.flywaydb").getLevel()).isEqualTo(Level.DEBUG);
        context.stop();
    }
}
