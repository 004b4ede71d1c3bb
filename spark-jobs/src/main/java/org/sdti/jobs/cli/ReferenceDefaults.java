package org.sdti.jobs.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.Collections;
import java.util.Enumeration;
import java.util.ResourceBundle;

/**
 * The defaults of {@code conf/reference.conf} as picocli's resource bundle, so help texts say
 * {@code (default ${bundle:sdti.train.steps})} and show the one documented value instead of a copy that can drift.
 * Only {@code sdti.*} keys: picocli's own bundle lookups (option names, usage headings) find nothing here.
 */
final class ReferenceDefaults extends ResourceBundle {
    private final Config reference = ConfigFactory.defaultReferenceUnresolved().resolve();

    @Override
    protected Object handleGetObject(String key) {
        if (!key.startsWith("sdti.") || !reference.hasPathOrNull(key)) {
            return null;
        }
        if (reference.getIsNull(key)) {
            return "none";
        }
        ConfigValue v = reference.getValue(key);
        return v.valueType() == ConfigValueType.STRING ? (String) v.unwrapped() : v.render();
    }

    @Override
    public Enumeration<String> getKeys() {
        return Collections.enumeration(reference.root().keySet());
    }
}
