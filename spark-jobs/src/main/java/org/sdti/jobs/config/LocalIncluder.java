package org.sdti.jobs.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigIncludeContext;
import com.typesafe.config.ConfigIncluder;
import com.typesafe.config.ConfigIncluderClasspath;
import com.typesafe.config.ConfigIncluderFile;
import com.typesafe.config.ConfigIncluderURL;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseable;
import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;

/**
 * Job-file includes as HOCON has them (files, the classpath), except {@code include url("http://...")}: a job
 * file must not make sdti fetch from the network (or reach an internal address) while it is being read. Any
 * {@code file:} URL is still fine, as long as it names a regular file (reading a device or a FIFO never ends).
 */
final class LocalIncluder implements ConfigIncluder, ConfigIncluderFile, ConfigIncluderURL, ConfigIncluderClasspath {
    private final ConfigIncluder fallback;

    LocalIncluder() {
        this(null);
    }

    private LocalIncluder(ConfigIncluder fallback) {
        this.fallback = fallback;
    }

    @Override
    public ConfigIncluder withFallback(ConfigIncluder f) {
        return fallback == null ? new LocalIncluder(f) : this;
    }

    @Override
    public ConfigObject include(ConfigIncludeContext context, String what) {
        try {
            URL url = new URL(what);
            if (!"file".equals(url.getProtocol())) {
                throw refused(what);
            }
        } catch (MalformedURLException notAUrl) {
            // a file or resource name, resolved as HOCON does
        }
        ConfigParseable relative = context.relativeTo(what);
        String file = relative == null ? null : relative.origin().filename();
        requireRegular(file != null ? new File(file) : new File(what), what);
        return fallback.include(context, what);
    }

    @Override
    public ConfigObject includeURL(ConfigIncludeContext context, URL url) {
        if (!"file".equals(url.getProtocol())) {
            throw refused(url.toString());
        }
        requireRegular(new File(url.getPath()), url.toString());
        return ((ConfigIncluderURL) fallback).includeURL(context, url);
    }

    @Override
    public ConfigObject includeFile(ConfigIncludeContext context, File file) {
        requireRegular(file, file.toString());
        return ((ConfigIncluderFile) fallback).includeFile(context, file);
    }

    @Override
    public ConfigObject includeResources(ConfigIncludeContext context, String what) {
        return ((ConfigIncluderClasspath) fallback).includeResources(context, what);
    }

    private static void requireRegular(File file, String what) {
        if (file.exists() && !Files.isRegularFile(file.toPath())) {
            throw new ConfigException.Generic("include of " + what + ": not a regular file (a folder, device or "
                    + "pipe is never read)");
        }
    }

    private static ConfigException refused(String what) {
        return new ConfigException.Generic("include of " + what + ": a job file may include files, not URLs (sdti "
                + "reads no configuration from the network); copy it and include it by path");
    }
}
