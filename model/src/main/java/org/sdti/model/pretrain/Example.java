package org.sdti.model.pretrain;

/**
 * One training picture and its caption.
 *
 * @param pixels {@code [3, height, width]} row-major, in [-1, 1]
 */
public record Example(float[] pixels, String caption) {}
