package dev.rlaif.cli.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.Optional;

/**
 * The demo's two log sinks, which {@code ./rlaif bench} uses too: the console keeps rlaif's own lines (and any
 * ERROR), everything from INFO up, Kafka's and the other libraries' included, goes to a file. Services run on their
 * own ({@code ./rlaif service}, containers) keep the plain console configuration of {@code logback.xml}.
 */
public final class DemoLogging {

    private static final String OURS = "dev.rlaif";

    private DemoLogging() {
    }

    /**
     * Sends all INFO+ lines to {@code file} and keeps only rlaif's lines and errors on the console.
     *
     * @return the file, or empty when the SLF4J provider is not logback (e.g. a test classpath with slf4j-simple)
     */
    public static Optional<Path> splitTo(Path file) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return Optional.empty();
        }
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern("%d{HH:mm:ss.SSS} [%thread] %-5level %logger{36} - %msg%n");
        encoder.start();
        FileAppender<ILoggingEvent> fileAppender = new FileAppender<>();
        fileAppender.setContext(ctx);
        fileAppender.setName("DEMO_FILE");
        fileAppender.setFile(file.toString());
        fileAppender.setAppend(true);
        fileAppender.setEncoder(encoder);
        fileAppender.start();
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            Appender<ILoggingEvent> a = it.next();
            Filter<ILoggingEvent> onlyOurs = new Filter<>() {
                @Override
                public FilterReply decide(ILoggingEvent e) {
                    return e.getLoggerName().startsWith(OURS) || e.getLevel().isGreaterOrEqual(Level.ERROR)
                            ? FilterReply.NEUTRAL : FilterReply.DENY;
                }
            };
            onlyOurs.setContext(ctx);
            onlyOurs.start();
            a.addFilter(onlyOurs);
        }
        root.addAppender(fileAppender);
        if (!root.isEnabledFor(Level.INFO)) {
            root.setLevel(Level.INFO);
        }
        return Optional.of(file);
    }
}
