package org.sdti.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code model_index.json}: the pipeline class and, per component folder, its library and class; and
 * {@code _sdti_world}, the procedural world a model was trained on (the toy model's "shapes"), or null. diffusers
 * ignores keys that start with "_".
 */
public record ModelIndex(String pipelineClass, Map<String, List<String>> components, String world, String source) {
    public ModelIndex {
        components = Map.copyOf(components);
    }

    public static ModelIndex from(JsonConfig c) {
        Map<String, List<String>> comps = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = c.raw().fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (e.getKey().startsWith("_") || !v.isArray() || v.size() != 2 || v.get(0).isNull()) {
                continue;
            }
            comps.put(e.getKey(), List.of(v.get(0).asText(), v.get(1).asText()));
        }
        JsonNode world = c.raw().get("_sdti_world");
        return new ModelIndex(c.requireString("_class_name"), comps,
                world == null || world.isNull() ? null : world.asText(), c.source());
    }

    /** The class named for a component folder, or null when the index does not list it. */
    public String componentClass(String folder) {
        List<String> v = components.get(folder);
        return v == null ? null : v.get(1);
    }
}
