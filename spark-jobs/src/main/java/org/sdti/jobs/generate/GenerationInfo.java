package org.sdti.jobs.generate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sdti.jobs.runtime.TaskThreads;
import org.sdti.model.Version;
import org.sdti.model.io.ModelSource;
import org.sdti.model.pipelines.GenerationRequest;
import org.sdti.model.pipelines.GenerationResult;

/**
 * How one image was made, as stored in its PNG: an AUTOMATIC1111-style {@code parameters} text (what most tools
 * show and parse) and the complete record as JSON under {@code sdti}.
 *
 * @param index position among the run's images (prompt-major)
 * @param modelHashes SHA-256 (hex) of each component's weights by content, keyed by component (unet, text_encoder,
 *                    vae; {@code StableDiffusion.weightsSha256}): the same weights give the same record whether a
 *                    diffusers folder or a single file held them
 * @param initialLatents the file the initial noise came from, or null when it came from the seed
 * @param threadsPerTask the threads per op of the JVM that rendered it ({@link TaskThreads}): its pixels are
 *                       reproduced bit for bit with as many threads (0: not recorded, a PNG of an older sdti)
 */
public record GenerationInfo(
        String prompt,
        String negativePrompt,
        long seed,
        int steps,
        String sampler,
        double guidance,
        double eta,
        int width,
        int height,
        String model,
        Map<String, String> modelHashes,
        List<Embedding> embeddings,
        String initialLatents,
        int index,
        String version,
        int threadsPerTask) {

    /** PNG keyword of the AUTOMATIC1111-style text. */
    public static final String PARAMETERS = "parameters";
    private static final java.util.regex.Pattern LINE_BREAK = java.util.regex.Pattern.compile("\\R");
    /** PNG keyword of the JSON record. */
    public static final String SDTI = "sdti";
    /** The JSON record's key of the per-component weight digests. */
    private static final String WEIGHTS_SHA256 = "weights_sha256";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> A1111_SAMPLERS = Map.of("ddim", "DDIM", "euler", "Euler",
            "dpmpp-2m", "DPM++ 2M", "dpmpp-2m-karras", "DPM++ 2M Karras", "ddpm", "DDPM");

    /** A learned token used for the image: its token, file, vector count and the file's SHA-256. */
    public record Embedding(String token, String file, int vectors, String sha256) {
        /** Appends {@code {token, file, vectors, sha256}} (the PNG record's and the job manifest's form). */
        public void addTo(ArrayNode list) {
            list.addObject().put("token", token).put("file", file).put("vectors", vectors).put("sha256", sha256);
        }
    }

    public GenerationInfo {
        modelHashes = Map.copyOf(new LinkedHashMap<>(modelHashes));
        embeddings = List.copyOf(embeddings);
    }

    /** Keyword → text for the PNG. */
    public Map<String, String> pngText() {
        Map<String, String> text = new LinkedHashMap<>();
        text.put(PARAMETERS, parameters());
        text.put(SDTI, toJson());
        return text;
    }

    /**
     * AUTOMATIC1111's infotext: the prompt, {@code Negative prompt: ...} when there is one, then
     * {@code Steps: 20, Sampler: DDIM, CFG scale: 7.5, Seed: 1, Size: 512x512, Model hash: (10 hex of the U-Net
     * weights' digest), Model: (folder or file name), TI hashes: "token: 12 hex", Version: sdti 0.1.0}.
     */
    private static String oneLine(String text) {
        return LINE_BREAK.matcher(text).replaceAll(" ");
    }

    public String parameters() {
        // line breaks would forge the infotext's own lines ("Negative prompt:", "Steps:"); to the text encoder they
        // are spaces anyway
        StringBuilder s = new StringBuilder(oneLine(prompt));
        if (!negativePrompt.isEmpty()) {
            s.append("\nNegative prompt: ").append(oneLine(negativePrompt));
        }
        List<String> fields = new ArrayList<>();
        fields.add("Steps: " + steps);
        fields.add("Sampler: " + a1111Sampler(sampler));
        fields.add("CFG scale: " + number(guidance));
        fields.add("Seed: " + seed);
        fields.add("Size: " + width + "x" + height);
        String unet = modelHashes.get("unet");
        if (unet != null) {
            fields.add("Model hash: " + unet.substring(0, Math.min(10, unet.length())));
        }
        fields.add("Model: " + quote(model));
        if (sampler.equals("ddim") && eta != 0) {
            fields.add("Eta DDIM: " + number(eta));
        }
        if (!embeddings.isEmpty()) {
            List<String> ti = new ArrayList<>();
            for (Embedding e : embeddings) {
                ti.add(e.token() + ": " + e.sha256().substring(0, Math.min(12, e.sha256().length())));
            }
            fields.add("TI hashes: " + quote(String.join(", ", ti)));
        }
        fields.add("Version: sdti " + version);
        return s.append('\n').append(String.join(", ", fields)).toString();
    }

    /** The sampler's name as AUTOMATIC1111 writes it ({@code ddim} → {@code DDIM}); unknown names as they are. */
    public static String a1111Sampler(String sampler) {
        return A1111_SAMPLERS.getOrDefault(sampler, sampler);
    }

    public String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("prompt", prompt);
        o.put("negative_prompt", negativePrompt);
        o.put("seed", seed);
        putSettings(o, steps, sampler, guidance, eta, width, height);
        o.put("model", model);
        ObjectNode hashes = o.putObject(WEIGHTS_SHA256);
        modelHashes.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> hashes.put(e.getKey(), e.getValue()));
        ArrayNode list = o.putArray("embeddings");
        embeddings.forEach(e -> e.addTo(list));
        if (initialLatents == null) {
            o.putNull("initial_latents");
        } else {
            o.put("initial_latents", initialLatents);
        }
        o.put("index", index);
        o.put("version", version);
        o.put("threads_per_task", threadsPerTask);
        return o.toString();
    }

    /** The sampler settings and size under the keys the PNG record and the job manifest share. */
    static void putSettings(ObjectNode o, int steps, String sampler, double guidance, double eta, int width,
                            int height) {
        o.put("steps", steps);
        o.put("sampler", sampler);
        o.put("guidance", guidance);
        o.put("eta", eta);
        o.put("width", width);
        o.put("height", height);
    }

    /** Parses {@link #toJson()}. */
    public static GenerationInfo fromJson(String json) {
        JsonNode o;
        try {
            o = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a JSON generation record: " + e.getOriginalMessage());
        }
        Map<String, String> hashes = new LinkedHashMap<>();
        o.path(WEIGHTS_SHA256).fields().forEachRemaining(e -> hashes.put(e.getKey(), e.getValue().asText()));
        List<Embedding> embeddings = new ArrayList<>();
        for (JsonNode e : o.path("embeddings")) {
            embeddings.add(new Embedding(e.path("token").asText(), e.path("file").asText(), e.path("vectors").asInt(),
                    e.path("sha256").asText()));
        }
        JsonNode latents = o.path("initial_latents");
        return new GenerationInfo(o.path("prompt").asText(), o.path("negative_prompt").asText(),
                o.path("seed").asLong(), o.path("steps").asInt(), o.path("sampler").asText(),
                o.path("guidance").asDouble(), o.path("eta").asDouble(), o.path("width").asInt(),
                o.path("height").asInt(), o.path("model").asText(), hashes, embeddings,
                latents.isNull() || latents.isMissingNode() ? null : latents.asText(), o.path("index").asInt(),
                o.path("version").asText(), o.path("threads_per_task").asInt(0));
    }

    /**
     * The record of image {@code i} of a finished generation, as {@code sdti generate} and the generate job store it.
     *
     * @param model          the model's name (its folder's or file's last path element, see {@link #modelName})
     * @param initialLatents the file the initial noise came from, or null
     */
    public static GenerationInfo of(GenerationRequest request, GenerationResult result, int i, String model,
                                    Map<String, String> modelHashes, List<Embedding> embeddings,
                                    String initialLatents) {
        int p = i / request.imagesPerPrompt();
        return new GenerationInfo(request.prompts().get(p), request.negativePrompt(p), request.imageSeed(i),
                request.steps(), result.sampler(), request.guidance(), request.samplerOptions().eta(),
                result.width(), result.height(), model, modelHashes, embeddings, initialLatents, i, currentVersion(),
                TaskThreads.current());
    }

    /** The name a PNG gives the model: its folder's last path element ("stable-diffusion-2-1-base"). */
    public static String modelName(ModelSource model) {
        // a checkpoint is named without its extension, as AUTOMATIC1111 names it
        return new org.apache.hadoop.fs.Path(model.location()).getName().replaceFirst("\\.(safetensors|ckpt|pt)$", "");
    }

    /** The version written by this build. */
    public static String currentVersion() {
        return Version.SDTI;
    }

    /**
     * Parses AUTOMATIC1111 infotext into {@code prompt}, {@code Negative prompt} and the {@code key: value}
     * fields of the last line (quoted values unquoted).
     */
    public static Map<String, String> parseParameters(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        int lastLine = text.lastIndexOf('\n');
        String head = lastLine < 0 ? "" : text.substring(0, lastLine);
        String fields = lastLine < 0 ? text : text.substring(lastLine + 1);
        int neg = head.indexOf("\nNegative prompt: ");
        if (head.startsWith("Negative prompt: ")) {
            neg = -1;
            out.put("prompt", "");
            out.put("Negative prompt", head.substring("Negative prompt: ".length()));
        } else if (neg >= 0) {
            out.put("prompt", head.substring(0, neg));
            out.put("Negative prompt", head.substring(neg + "\nNegative prompt: ".length()));
        } else {
            out.put("prompt", head);
        }
        int i = 0;
        while (i < fields.length()) {
            int colon = fields.indexOf(": ", i);
            if (colon < 0) {
                break;
            }
            String key = fields.substring(i, colon).trim();
            int v = colon + 2;
            String value;
            if (v < fields.length() && fields.charAt(v) == '"') {
                int end = v + 1;
                while (end < fields.length() && fields.charAt(end) != '"') {
                    end += fields.charAt(end) == '\\' ? 2 : 1;
                }
                try {
                    value = JSON.readValue(fields.substring(v, Math.min(end + 1, fields.length())), String.class);
                } catch (JsonProcessingException e) {
                    value = fields.substring(v + 1, Math.min(end, fields.length()));
                }
                i = fields.indexOf(", ", end);
            } else {
                int comma = fields.indexOf(", ", v);
                value = comma < 0 ? fields.substring(v) : fields.substring(v, comma);
                i = comma;
            }
            out.put(key, value);
            if (i < 0) {
                break;
            }
            i += 2;
        }
        return out;
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.format(Locale.ROOT, "%.1f", v) : Double.toString(v);
    }

    /** A1111 quotes values holding {@code ,}, {@code :} or a newline as JSON strings. */
    private static String quote(String s) {
        if (!s.contains(",") && !s.contains(":") && !s.contains("\n") && !s.contains("\"")) {
            return s;
        }
        try {
            return JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
