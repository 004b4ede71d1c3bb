package org.sdti.model.pretrain;

/** The training set of a run from scratch: pictures of one size, read by position (the sampler's order). */
public interface ExampleSource {
    int size();

    int height();

    int width();

    Example get(int index);
}
