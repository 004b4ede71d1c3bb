package org.sdti.jobs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class OpProfilerTest {
    @Test
    void vaeDecoderWeightsNameTheirOwnBlocks() {
        assertEquals("vae decoder resnet", OpProfiler.blockType("vae/decoder.up_blocks.2.resnets.1.conv1.weight"));
        assertEquals("vae decoder attention", OpProfiler.blockType("vae/decoder.mid_block.attentions.0.to_q.weight"));
        assertEquals("vae decoder upsample", OpProfiler.blockType("vae/decoder.up_blocks.0.upsamplers.0.conv.weight"));
        assertEquals("vae decoder conv in/out, norm", OpProfiler.blockType("vae/post_quant_conv.weight"));
    }

    @Test
    void unetWeightsKeepTheirBlocks() {
        assertEquals("unet resnet", OpProfiler.blockType("unet/down_blocks.0.resnets.0.conv1.weight"));
        assertEquals("unet self-attention",
                OpProfiler.blockType("unet/mid_block.attentions.0.transformer_blocks.0.attn1.to_q.weight"));
        assertNull(OpProfiler.blockType("some_placeholder"));
    }
}
