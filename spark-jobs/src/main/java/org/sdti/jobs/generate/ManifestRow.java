package org.sdti.jobs.generate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * One image of the generate job, as a line of {@code OUTPUT/_generate/manifest.jsonl} (fields in this order):
 * <ul>
 *   <li>{@code image}: the PNG relative to the output folder ({@code NAME/images/SLUG-SEED-ID.png}); null when the
 *       request failed before a name could be made (its token has no learned embedding)</li>
 *   <li>{@code id}: 16 hex of SHA-256 over the model id and every parameter below that shapes the pixels; the
 *       file name ends with it, which is how a rerun knows an image is already there</li>
 *   <li>{@code status}: {@code done} (the file exists) or {@code failed}; {@code reason}: why, or null</li>
 *   <li>{@code folder}: the folder under the output ({@code NAME} of the one concept whose token the prompt uses,
 *       else {@code _generate}); {@code concept}: that concept's name, or null</li>
 *   <li>{@code request}: index in {@code sdti.generate.prompts}; {@code prompt}, {@code negative_prompt}</li>
 *   <li>{@code seed}: the image's own seed (= {@code batch_seed + index}); {@code batch_seed}: the listed seed;
 *       {@code index}: position in its batch of {@code images_per_prompt} images</li>
 *   <li>{@code steps}, {@code sampler} (resolved), {@code guidance}, {@code eta}, {@code width}, {@code height}
 *       (resolved)</li>
 *   <li>{@code model}: the model folder's name; {@code model_id}: which weights and configs (see
 *       {@link ImagePlan}); {@code embeddings}: the learned tokens the prompt uses ({@code token}, {@code file},
 *       {@code vectors}, {@code sha256} of the file)</li>
 * </ul>
 * No field changes when nothing is redone (no times), so a rerun that renders nothing rewrites nothing.
 */
record ManifestRow(String image, String id, String status, String reason, String folder, String concept,
                   int request, String prompt, String negativePrompt, long seed, long batchSeed, int index,
                   int imagesPerPrompt, int steps, String sampler, double guidance, double eta, int width,
                   int height, String model, String modelId, List<GenerationInfo.Embedding> embeddings) {
    static final String DONE = "done";
    static final String FAILED = "failed";
    private static final ObjectMapper JSON = new ObjectMapper();

    ManifestRow {
        embeddings = List.copyOf(embeddings);
    }

    ManifestRow withStatus(String newStatus, String newReason) {
        return new ManifestRow(image, id, newStatus, newReason, folder, concept, request, prompt, negativePrompt,
                seed, batchSeed, index, imagesPerPrompt, steps, sampler, guidance, eta, width, height, model, modelId,
                embeddings);
    }

    boolean done() {
        return DONE.equals(status);
    }

    String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("image", image);
        o.put("id", id);
        o.put("status", status);
        o.put("reason", reason);
        o.put("folder", folder);
        o.put("concept", concept);
        o.put("request", request);
        o.put("prompt", prompt);
        o.put("negative_prompt", negativePrompt);
        o.put("seed", seed);
        o.put("batch_seed", batchSeed);
        o.put("index", index);
        o.put("images_per_prompt", imagesPerPrompt);
        GenerationInfo.putSettings(o, steps, sampler, guidance, eta, width, height);
        o.put("model", model);
        o.put("model_id", modelId);
        ArrayNode list = o.putArray("embeddings");
        embeddings.forEach(e -> e.addTo(list));
        return o.toString();
    }
}
