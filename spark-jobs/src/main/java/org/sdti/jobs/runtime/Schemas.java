package org.sdti.jobs.runtime;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The datasets stages hand each other (Parquet, one partition folder per concept). Readers pass these schemas
 * explicitly, so a concept named "2024" stays a string and a column added later cannot go unnoticed.
 */
public final class Schemas {
    private Schemas() {}

    private static StructField f(String name, org.apache.spark.sql.types.DataType type, boolean nullable) {
        return DataTypes.createStructField(name, type, nullable);
    }

    /**
     * prepare: one row per training example (a source picture as is, or mirrored).
     * <ul>
     *   <li>{@code concept}: the concept's folder name (the partition column)</li>
     *   <li>{@code image_id}: {@code <content_hash>:original} or {@code :flipped}; stable across runs and renames</li>
     *   <li>{@code source}: the file's URI; {@code content_hash}: SHA-256 (hex) of its bytes</li>
     *   <li>{@code variant}: {@code original} or {@code flipped}</li>
     *   <li>{@code width}, {@code height}: the example's size; {@code source_width}, {@code source_height}: the
     *       upright picture's, before framing</li>
     *   <li>{@code caption}: the text of the caption file beside it, or null</li>
     *   <li>{@code pixels}: 8-bit RGB, rows top to bottom, {@code r g b} interleaved (HWC), width·height·3 bytes</li>
     * </ul>
     */
    public static final StructType EXAMPLES = new StructType(new StructField[] {
        f("concept", DataTypes.StringType, false),
        f("image_id", DataTypes.StringType, false),
        f("source", DataTypes.StringType, false),
        f("content_hash", DataTypes.StringType, false),
        f("variant", DataTypes.StringType, false),
        f("width", DataTypes.IntegerType, false),
        f("height", DataTypes.IntegerType, false),
        f("source_width", DataTypes.IntegerType, false),
        f("source_height", DataTypes.IntegerType, false),
        f("caption", DataTypes.StringType, true),
        f("pixels", DataTypes.BinaryType, false),
    });

    /**
     * prepare: the prompts a concept trains with. A {@code template} row applies to every example without a caption
     * of its own; a {@code caption} row ({@code content_hash} set) to that picture's two variants only.
     * <ul>
     *   <li>{@code prompt_index}: position in the concept's list (templates in file order, then captions)</li>
     *   <li>{@code kind}: {@code template} or {@code caption}</li>
     *   <li>{@code template}: the template (with {}) or the caption as written</li>
     *   <li>{@code prompt}: the text trained on, placeholder expanded diffusers' way ({@code <tok> <tok>_1})</li>
     *   <li>{@code ids}: its 77 text-encoder input ids; the tokenizer knows the base vocabulary plus this concept's
     *       own token, so the token's vectors are ids vocab_size, vocab_size + 1, ... (49408 ... for SD 2)</li>
     * </ul>
     */
    public static final StructType PROMPTS = new StructType(new StructField[] {
        f("concept", DataTypes.StringType, false),
        f("prompt_index", DataTypes.IntegerType, false),
        f("kind", DataTypes.StringType, false),
        f("content_hash", DataTypes.StringType, true),
        f("template", DataTypes.StringType, false),
        f("prompt", DataTypes.StringType, false),
        f("ids", DataTypes.createArrayType(DataTypes.IntegerType, false), false),
    });

    /**
     * latents: the VAE encoder's diagonal Gaussian of one example, before the scaling factor (the trainer samples
     * {@code (mean + std·ε)·scaling_factor}).
     * <ul>
     *   <li>{@code model_id}: which VAE ({@link ModelIds}); rows of other VAEs are kept but not used with this one</li>
     *   <li>{@code shape}: {@code [channels, height, width]} of the latent; {@code mean}, {@code std}: float32
     *       values in that shape, row-major</li>
     * </ul>
     */
    public static final StructType LATENTS = new StructType(new StructField[] {
        f("concept", DataTypes.StringType, false),
        f("image_id", DataTypes.StringType, false),
        f("content_hash", DataTypes.StringType, false),
        f("variant", DataTypes.StringType, false),
        f("model_id", DataTypes.StringType, false),
        f("shape", DataTypes.createArrayType(DataTypes.IntegerType, false), false),
        f("mean", DataTypes.createArrayType(DataTypes.FloatType, false), false),
        f("std", DataTypes.createArrayType(DataTypes.FloatType, false), false),
    });
}
