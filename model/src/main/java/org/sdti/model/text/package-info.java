/**
 * The CLIP BPE tokenizer of Stable Diffusion 2, entry point {@link org.sdti.model.text.ClipTokenizer}.
 *
 * <h2>Whose behaviour</h2>
 * SD 2 was trained through open_clip, whose tokenizer is openai/CLIP's {@code simple_tokenizer}: {@code ftfy.fix_text}
 * ({@link org.sdti.model.text.TextFixer}, a faithful port of ftfy 6.1 with default settings), {@code html.unescape}
 * twice, whitespace collapsing with Unicode {@code \s}, Python {@code lower()}, the CLIP pre-tokenizer regex and
 * byte-level BPE, then {@code [49406] + ids + [49407]} cut to 77 with the end id kept last and padded with zeros.
 * We reproduce that, id for id, because textual-inversion embeddings are learned against the ids the text encoder
 * saw in training; the goldens in {@code testdata/reference/sd2} were produced by running that code.
 *
 * <h2>Where transformers' CLIPTokenizer differs, and what we do</h2>
 * <ul>
 *   <li><b>'!' as pad token.</b> SD 2 folders name {@code "!"} (id 0) as pad token; transformers then treats every
 *       '!' in a prompt as a special token (id 0), where open_clip BPE-encodes it ({@code "!</w>"} = 256, or merged
 *       with neighbours). We keep open_clip's ids and use the pad token only for padding, which gives the same
 *       zero padding open_clip produces. (diffusers issue #4153, transformers issue #24925.)</li>
 *   <li><b>HTML.</b> transformers skips {@code html.unescape}; we apply it as CLIP does.</li>
 *   <li><b>No ftfy installed.</b> transformers then falls back to a different cleaner; we always clean like ftfy.</li>
 *   <li><b>Added tokens.</b> open_clip has none; textual inversion needs them, so here we follow transformers and
 *       diffusers: placeholders are found verbatim (case-sensitive) in the raw prompt before cleaning, each other
 *       stretch is cleaned and encoded on its own, and a multi-vector placeholder {@code t} stands for
 *       {@code t, t_1, ..., t_(n-1)} as diffusers' {@code maybe_convert_prompt} makes it.</li>
 *   <li><b>Literal {@code <|startoftext|>}/{@code <|endoftext|>} in a prompt</b> map to 49406/49407 as in openai/CLIP
 *       and transformers (open_clip itself would BPE-split them; no prompt in practice contains them).</li>
 * </ul>
 * The pad token itself is resolved as transformers' {@code from_pretrained} does ({@code special_tokens_map.json}
 * over {@code tokenizer_config.json}), so SD 2 folders pad with 0 and SD 1 folders with 49407.
 *
 * <h2>Known limits</h2>
 * Character properties come from the JVM (Java 17: Unicode 13); characters assigned in later Unicode versions may
 * pre-tokenize differently from a newer Python. Instances are immutable and thread-safe.
 */
package org.sdti.model.text;
