/**
 * The SameDiff building blocks of the text encoder, U-Net and VAE (one set for all three), and the runtime that
 * runs their graphs ({@link org.sdti.model.models.nn.GraphRunner}: execution plans with an
 * {@link org.sdti.model.models.nn.ArenaLayout}, pass memory, {@link org.sdti.model.models.nn.FrozenBackprop}).
 *
 * <p>Conventions:
 * <ul>
 *   <li>Weights come from a {@link org.sdti.model.models.nn.ParamStore}: converted once, cached by name, added to
 *       each graph as CONSTANTS by reference ({@link org.sdti.model.models.nn.SharedConstants}), so graphs for several
 *       batch sizes (inference and training) share one copy; Linear weights as {@code [in, out]}, conv weights as
 *       YXIO. Only a {@link org.sdti.model.models.nn.ParamStore#trainable()} store adds VARIABLEs (full-weight
 *       training); otherwise trainable tensors are the caller's explicit {@code sd.var}s.</li>
 *   <li>Per-token blocks work on token rows {@code [batch·tokens, channels]} (Linear, LayerNorm, activations);
 *       attention takes the sequence lengths to split rows into sequences. {@code applyLastAxis} variants accept
 *       any rank.</li>
 * </ul>
 *
 * <p>ND4J 1.0.0-M2.1 pitfalls these blocks avoid (each seen as wrong numbers or a failing op):
 * <ul>
 *   <li>{@code matmul} rejects rank-3 × rank-2; {@code tensormmul}'s backward fails: flatten to rows instead.</li>
 *   <li>{@code xw_plus_b} ({@code sd.nn().linear}) writes recycled output arrays flagged 'f' with 'c' strides in
 *       the wrong order inside larger graphs: use {@code mmul} + {@code add}.</li>
 *   <li>keepDims reductions ({@code mean/sum/max}) over axis -1 give wrong results for rank ≥ 3: name the axis.</li>
 *   <li>{@code layer_norm} has a fixed epsilon, {@code gelu} is the sigmoid approximation and {@code precise_gelu}
 *       matches neither: LayerNorm and GELU are composed.</li>
 * </ul>
 */
package org.sdti.model.models.nn;
