package org.sdti.jobs.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * The INFO (and above) messages of one class's logger while open, for tests of log lines; the test configuration
 * only shows warnings, so they are captured here and not printed.
 */
public final class LogLines implements AutoCloseable {
    private final String name;
    private final LoggerContext context;
    private final AbstractAppender appender;
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());

    private LogLines(Class<?> of) {
        name = of.getName();
        context = (LoggerContext) LogManager.getContext(false);
        appender = new AbstractAppender("test-" + name, null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                lines.add(event.getMessage().getFormattedMessage());
            }
        };
        appender.start();
        Configuration config = context.getConfiguration();
        LoggerConfig logger = new LoggerConfig(name, Level.INFO, false);
        logger.addAppender(appender, Level.INFO, null);
        config.addLogger(name, logger);
        context.updateLoggers();
    }

    public static LogLines of(Class<?> logger) {
        return new LogLines(logger);
    }

    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    @Override
    public void close() {
        context.getConfiguration().removeLogger(name);
        context.updateLoggers();
        appender.stop();
    }
}
