package org.sdti.model.models;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.sdti.model.models.nn.GroupNorm;
import org.sdti.model.models.nn.ParamStore;

/** Every form of {@link GroupNorm} against a float64 reference of PyTorch's definition. */
class GroupNormTest {
    @Test
    void allFormsMatchTheDefinition() throws Exception {
        int b = 2;
        int c = 8;
        int groups = 4;
        int h = 3;
        int w = 5;
        double eps = 1e-6;
        Nd4j.getRandom().setSeed(3);
        float[] gamma = Nd4j.randn(DataType.FLOAT, c).toFloatVector();
        float[] beta = Nd4j.randn(DataType.FLOAT, c).toFloatVector();
        WeightLayout layout = new WeightLayout.Builder().norm("n", c).build();
        ParamStore p = ParamStore.converted(layout, name -> name.endsWith(".weight") ? gamma : beta, "t",
                DataType.DOUBLE);
        INDArray x = Nd4j.randn(DataType.DOUBLE, b, c, h, w);
        x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0)).muli(1e-3); // variance near eps in sample 0
        x.addi(5.0); // a mean far from 0

        INDArray rows = x.reshape(b * groups, (long) c / groups * h * w);
        INDArray centred = rows.subColumnVector(rows.mean(true, 1));
        INDArray var = centred.mul(centred).mean(true, 1);
        INDArray expected = centred.divColumnVector(Transforms.sqrt(var.add(eps))).reshape(b, c, h, w)
                .mul(Nd4j.createFromArray(gamma).castTo(DataType.DOUBLE).reshape(1, c, 1, 1))
                .add(Nd4j.createFromArray(beta).castTo(DataType.DOUBLE).reshape(1, c, 1, 1));

        boolean[][] forms = {{false, false}, {true, false}, {true, true}}; // {forwardOnly, channelsLast}
        for (boolean[] form : forms) {
            SameDiff sd = SameDiff.create();
            INDArray input = form[1] ? x.permute(0, 2, 3, 1).dup() : x;
            SDVariable in = sd.placeHolder("x", DataType.DOUBLE, input.shape());
            SDVariable y = new GroupNorm("n", c, groups, eps, form[0], form[1]).apply(sd, p, in, h, w);
            INDArray got = sd.output(Map.of("x", input), y.name()).get(y.name());
            double err = (form[1] ? got.permute(0, 3, 1, 2) : got).sub(expected).amaxNumber().doubleValue();
            assertTrue(err < 1e-9, "forwardOnly=" + form[0] + ", channelsLast=" + form[1] + ": differs by " + err);
        }
    }
}
