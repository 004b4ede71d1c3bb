package org.sdti.model.schedulers;

/**
 * Which sampler a model's scheduler config maps to, decided once per model.
 *
 * @param name a name {@link Samplers#create} accepts
 * @param fallback true when the config asked for something sdti does not implement and {@code name} is a stand-in
 * @param note a sentence for the caller to show the user (why this sampler); empty when the config was followed
 */
public record SamplerChoice(String name, boolean fallback, String note) {}
