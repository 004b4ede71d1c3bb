package org.sdti.jobs.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigIncludeContext;
import com.typesafe.config.ConfigIncluder;
import com.typesafe.config.ConfigIncluderClasspath;
import com.typesafe.config.ConfigIncluderFile;
import com.typesafe.config.ConfigIncluderURL;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValueFactory;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Concepts listed outside the job file, for jobs of hundreds: a JSON-lines manifest ({@code sdti.concept-manifest})
 * and a folder of concept folders ({@code sdti.concept-folders}). Each becomes the same object an entry of
 * {@code sdti.concepts} is, labelled with where it was written ({@code FILE:LINE:}), so {@link JobConfig} checks it
 * with the same rules and its messages name that place. Read once on the driver, before any work.
 */
final class ConceptSources {
    /** One concept's own keys and where they were written. */
    record Entry(String label, ConfigObject concept) {}

    /** A manifest larger than this is no list of concepts (a million lines of ~200 bytes). */
    static final long MAX_MANIFEST_BYTES = 256L << 20;
    private static final String SETTINGS = ".conf";

    /** A settings file says its own keys: an include (of a file, a resource, or a URL to fetch) is refused. */
    private static final class NoIncludes implements ConfigIncluder, ConfigIncluderFile, ConfigIncluderURL,
            ConfigIncluderClasspath {
        @Override
        public ConfigIncluder withFallback(ConfigIncluder fallback) {
            return this;
        }

        @Override
        public ConfigObject include(ConfigIncludeContext context, String what) {
            throw refused(what);
        }

        @Override
        public ConfigObject includeFile(ConfigIncludeContext context, java.io.File what) {
            throw refused(what.toString());
        }

        @Override
        public ConfigObject includeURL(ConfigIncludeContext context, java.net.URL what) {
            throw refused(what.toString());
        }

        @Override
        public ConfigObject includeResources(ConfigIncludeContext context, String what) {
            throw refused(what);
        }

        private static JobConfigException refused(String what) {
            return new JobConfigException("sdti.concept-folders", "include \"" + what + "\" in a concept's "
                    + "settings file: includes are not allowed there");
        }
    }

    private ConceptSources() {}

    /** The manifest's concepts, in line order. */
    static List<Entry> manifest(String location, Configuration conf) {
        Path file = new Path(location);
        String text;
        try {
            FileSystem fs = file.getFileSystem(conf);
            FileStatus status = fs.getFileStatus(file);
            if (!status.isFile()) {
                throw new JobConfigException("sdti.concept-manifest", location + " is not a file");
            }
            if (status.getLen() > MAX_MANIFEST_BYTES) {
                throw new JobConfigException("sdti.concept-manifest", location + " has " + status.getLen()
                        + " bytes, over the " + MAX_MANIFEST_BYTES + " a manifest may have");
            }
            try (InputStream in = fs.open(file)) {
                text = new String(in.readNBytes((int) MAX_MANIFEST_BYTES), StandardCharsets.UTF_8);
            }
        } catch (FileNotFoundException e) {
            throw new JobConfigException("sdti.concept-manifest", location + " does not exist");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the concept manifest " + location, e);
        }
        Path folder = file.getParent();
        List<Entry> out = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            String label = location + ":" + (i + 1) + ":";
            ConfigObject concept;
            try {
                concept = ConfigFactory.parseString(lines[i], ConfigParseOptions.defaults()
                        .setSyntax(ConfigSyntax.JSON).setOriginDescription(label)).root();
            } catch (ConfigException e) {
                throw new JobConfigException(label, "expected one JSON object per line ({\"token\": ..., \"init\": "
                        + "..., \"images\": ...}): " + e.getMessage().replaceFirst("^.*?: \\d+: ", ""));
            }
            if (concept.get("images") != null && concept.get("images").unwrapped() instanceof String images
                    && JobFilePaths.isRelative(images)) {
                concept = concept.withValue("images", ConfigValueFactory.fromAnyRef(new Path(folder, images)
                        .toString()));
            }
            out.add(new Entry(label, concept));
        }
        return out;
    }

    /** One concept per sub-folder of {@code location}, in name order, with the settings of its NAME.conf. */
    static List<Entry> folders(String location, Configuration conf) {
        Path root = new Path(location);
        FileStatus[] found;
        FileSystem fs;
        try {
            fs = root.getFileSystem(conf);
            found = fs.listStatus(root);
        } catch (FileNotFoundException e) {
            throw new JobConfigException("sdti.concept-folders", location + " does not exist");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the concept folders in " + location, e);
        }
        Map<String, FileStatus> folders = new HashMap<>();
        Map<String, FileStatus> settings = new HashMap<>();
        for (FileStatus s : found) {
            String name = s.getPath().getName();
            if (name.startsWith(".") || name.startsWith("_")) {
                continue; // hidden by Hadoop's convention (_SUCCESS, .DS_Store), as documented
            }
            if (s.isDirectory()) {
                folders.put(name, s);
            } else if (name.endsWith(SETTINGS)) {
                settings.put(name.substring(0, name.length() - SETTINGS.length()), s);
            } else {
                throw new JobConfigException("sdti.concept-folders", s.getPath() + ": expected only concept "
                        + "folders and their NAME.conf files in " + location);
            }
        }
        for (Map.Entry<String, FileStatus> e : settings.entrySet()) {
            if (!folders.containsKey(e.getKey())) {
                throw new JobConfigException("sdti.concept-folders", e.getValue().getPath() + ": no folder "
                        + e.getKey() + "/ beside it to be the settings of");
            }
        }
        List<Entry> out = new ArrayList<>();
        for (FileStatus folder : folders.values().stream().sorted(Comparator.comparing(s -> s.getPath().getName()))
                .toList()) {
            String name = folder.getPath().getName();
            FileStatus file = settings.get(name);
            String label = (file == null ? folder.getPath().toString() : file.getPath().toString()) + ":";
            ConfigObject concept = ConfigFactory.empty().root();
            if (file != null) {
                concept = readSettings(fs, file, label);
                if (concept.containsKey("images")) {
                    throw new JobConfigException(label, "images: is the folder " + folder.getPath() + " itself; "
                            + "remove the key");
                }
            }
            if (!concept.containsKey("token")) {
                concept = concept.withValue("token", ConfigValueFactory.fromAnyRef("<" + name + ">"));
            }
            concept = concept.withValue("images", ConfigValueFactory.fromAnyRef(folder.getPath().toString()));
            out.add(new Entry(label, concept));
        }
        return out;
    }

    private static ConfigObject readSettings(FileSystem fs, FileStatus file, String label) {
        if (file.getLen() > 1 << 20) {
            throw new JobConfigException(label, "a concept's settings file of " + file.getLen() + " bytes is over "
                    + "the 1 MiB allowed");
        }
        try (InputStream in = fs.open(file.getPath())) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return ConfigFactory.parseString(text, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF)
                    .setOriginDescription(label).setIncluder(new NoIncludes())).root();
        } catch (JobConfigException e) {
            throw e;
        } catch (ConfigException e) {
            throw new JobConfigException(label, "not a HOCON settings file: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file.getPath(), e);
        }
    }

    /** Both sources of a merged configuration, manifest first; empty when neither key is set. */
    static List<Entry> all(Keys k, Configuration conf) {
        List<Entry> out = new ArrayList<>();
        String manifest = k.optString("concept-manifest");
        if (manifest != null) {
            out.addAll(manifest(manifest, conf));
        }
        String folders = k.optString("concept-folders");
        if (folders != null) {
            out.addAll(folders(folders, conf));
        }
        return out;
    }
}
