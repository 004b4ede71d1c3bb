package org.sdti.model.inversion;

/**
 * What one training step reports.
 *
 * @param step         1-based: the number of steps done after it
 * @param loss         mean loss over the step's samples
 * @param learningRate the rate of its optimizer update
 * @param gradientNorm L2 norm of the (mean) gradient of the rows
 */
public record StepRecord(long step, double loss, double learningRate, double gradientNorm) {}
