package org.sdti.jobs.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.sdti.model.models.nn.FrozenBackprop;

/**
 * Times every op of a SameDiff graph and attributes it to the network block it belongs to. Graph ops carry no
 * block names, so each op inherits the module path of the weight constant it reads (e.g.
 * {@code down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k.weight}), or else that of its inputs, walking
 * the graph in creation (topological) order. Gradient ops read forward variables and so inherit their block too.
 */
final class OpProfiler extends BaseListener {
    private final Map<String, String> blockOfVariable = new HashMap<>();
    private final Map<String, String> blockOfOp = new HashMap<>();
    private final Map<String, Double> secondsByBlock = new TreeMap<>();
    private final Map<String, Double> secondsByOp = new TreeMap<>();
    private final Map<String, Map<String, Double>> secondsByBlockAndOp = new TreeMap<>();
    private long start;
    private SameDiff mapped;

    @Override
    public boolean isActive(org.nd4j.autodiff.listeners.Operation operation) {
        return true;
    }

    @Override
    public void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext ctx) {
        if (mapped != sd || !blockOfOp.containsKey(op.getName())) {
            map(sd);
        }
        start = System.nanoTime();
    }

    @Override
    public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext ctx, INDArray[] out) {
        double s = (System.nanoTime() - start) / 1e9;
        String type = op.getOp().opName();
        boolean backward = op.getName().startsWith(FrozenBackprop.SCOPE + "/")
                || op.getOutputsOfOp().stream().anyMatch(n -> n.endsWith("-grad") || n.contains("_bp"))
                || type.endsWith("_bp");
        String block = blockOfOp.getOrDefault(op.getName(), "other") + (backward ? " (backward)" : "");
        secondsByBlock.merge(block, s, Double::sum);
        secondsByOp.merge(type, s, Double::sum);
        secondsByBlockAndOp.computeIfAbsent(block, k -> new TreeMap<>()).merge(type, s, Double::sum);
    }

    private void map(SameDiff sd) {
        mapped = sd;
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == VariableType.CONSTANT || v.getVariableType() == VariableType.VARIABLE) {
                blockOfVariable.putIfAbsent(v.name(), blockType(v.name()));
            }
        }
        for (SameDiffOp op : sd.getOps().values()) {
            String block = null;
            List<String> inputs = op.getInputsToOp();
            if (inputs != null) {
                for (String in : inputs) { // a weight names the block best; otherwise the first known input
                    String b = blockOfVariable.get(in);
                    if (b != null && (block == null || sd.getVariable(in).getVariableType() == VariableType.CONSTANT)) {
                        block = b;
                    }
                }
            }
            block = block == null ? "other" : block;
            blockOfOp.put(op.getName(), block);
            for (String o : op.getOutputsOfOp()) {
                blockOfVariable.putIfAbsent(o, block);
            }
        }
    }

    /** The kind of block a parameter name belongs to, e.g. "unet resnet", "unet cross-attention". */
    static String blockType(String name) {
        String local = name.substring(name.indexOf('/') + 1); // without the store's namespace, if any
        if (local.startsWith("decoder.") || local.startsWith("post_quant_conv")) {
            if (local.contains(".resnets.")) {
                return "vae decoder resnet";
            }
            if (local.contains(".attentions.")) {
                return "vae decoder attention";
            }
            return local.contains("upsamplers") ? "vae decoder upsample" : "vae decoder conv in/out, norm";
        }
        if (name.startsWith("text_model.") || name.startsWith("text_encoder.")) {
            if (name.contains("self_attn")) {
                return "text encoder attention";
            }
            if (name.contains("mlp")) {
                return "text encoder MLP";
            }
            return "text encoder norms/embeddings";
        }
        if (name.contains(".resnets.")) {
            return "unet resnet";
        }
        if (name.contains(".attn1.")) {
            return "unet self-attention";
        }
        if (name.contains(".attn2.")) {
            return "unet cross-attention";
        }
        if (name.contains(".ff.")) {
            return "unet feed-forward (GEGLU)";
        }
        if (name.contains(".attentions.")) {
            return "unet transformer norms/projections";
        }
        if (name.contains("downsamplers") || name.contains("upsamplers")) {
            return "unet down/upsample";
        }
        if (name.startsWith("time_embedding")) {
            return "unet time embedding";
        }
        if (name.startsWith("conv_") ) {
            return "unet conv in/out";
        }
        return null;
    }

    Map<String, Double> secondsByBlock() {
        return secondsByBlock;
    }

    Map<String, Double> secondsByOp() {
        return secondsByOp;
    }

    /** Seconds per op type within each block. */
    Map<String, Map<String, Double>> secondsByBlockAndOp() {
        return secondsByBlockAndOp;
    }

    void reset() {
        secondsByBlock.clear();
        secondsByOp.clear();
        secondsByBlockAndOp.clear();
    }
}
