/**
 * Textual-inversion embedding files in the formats other tools read and write: diffusers
 * {@code learned_embeds.safetensors} (and the legacy pickled {@code learned_embeds.bin}), AUTOMATIC1111 {@code .pt}
 * (including the original LDM {@code ParameterDict} layout) and kohya {@code emb_params}. Start at
 * {@link org.sdti.model.embeddings.EmbeddingFiles}; values are {@link org.sdti.model.embeddings.LearnedEmbedding}s.
 * No ND4J here: vectors are float32 rows.
 *
 * <p>Torch pickles are read by a small interpreter of our own that builds plain values and never runs code: only
 * the handful of globals torch writes for tensors and dicts are understood, anything else is an error naming it.
 */
package org.sdti.model.embeddings;
