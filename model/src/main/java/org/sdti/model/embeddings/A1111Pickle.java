package org.sdti.model.embeddings;

/**
 * The {@code data.pkl} of an AUTOMATIC1111 embedding, opcode for opcode what {@code torch.save} writes for A1111's
 * {@code Embedding.save} dict (compare {@code ti_samples/a1111_joe-bruin.pt}):
 * <pre>{"string_to_token": {"*": 265}, "string_to_param": {"*": tensor[n, dim] float32, requires_grad},
 *  "name": str, "step": int|None, "sd_checkpoint": str|None, "sd_checkpoint_name": str|None}</pre>
 * Only globals A1111's restricted unpickler (modules/safe.py) and torch's weights-only loader accept are used.
 */
final class A1111Pickle {
    /** The archive entry {@code data/<key>} holding the vectors. */
    static final String STORAGE_KEY = "0";
    /** A1111 writes the id of "*" in SD 1.x's tokenizer, whatever the model; nothing reads it. */
    private static final int STAR_TOKEN_ID = 265;

    private A1111Pickle() {}

    static byte[] encode(LearnedEmbedding e) {
        EmbeddingMetadata m = e.metadata();
        PickleWriter p = new PickleWriter().proto2().emptyDict().mark();
        p.string("string_to_token").emptyDict().string("*").integer(STAR_TOKEN_ID).setItem();
        p.string("string_to_param").emptyDict().string("*");
        tensor(p, e.count(), e.width());
        p.setItem();
        p.string("name").string(e.token());
        p.string("step");
        if (m.step().isPresent()) p.integer(m.step().getAsLong());
        else p.none();
        p.string("sd_checkpoint").stringOrNone(m.baseModelHash().orElse(null));
        p.string("sd_checkpoint_name").stringOrNone(m.baseModel().orElse(null));
        return p.setItems().stop().toByteArray();
    }

    /** {@code _rebuild_tensor_v2(storage, 0, (n, dim), (dim, 1), True, OrderedDict())}. */
    private static void tensor(PickleWriter p, int n, int dim) {
        p.global("torch._utils", "_rebuild_tensor_v2").mark();
        p.mark().string("storage").global("torch", "FloatStorage").string(STORAGE_KEY).string("cpu")
                .integer((long) n * dim).tupleFromMark().persistentId();
        p.integer(0);
        p.integer(n).integer(dim).tuple(2);
        p.integer(dim).integer(1).tuple(2);
        // A1111 saves its trainable leaf tensor as is
        p.bool(true);
        p.global("collections", "OrderedDict").emptyTuple().reduce();
        p.tupleFromMark().reduce();
    }
}
