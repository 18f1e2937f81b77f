package dev.focal.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.focal.stats.AnchorKind;
import dev.focal.stats.LossAccumulator;
import dev.focal.stats.TopK;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A sweep's pairs share the pass (docs/commands.md#sweeps): each pair's figures are, bit for bit,
 * those of an evaluation of that pair alone, for every kernel and any number of threads, on
 * inputs of several ranges with soft targets, per-element weights, samples and NaN.
 */
class FocalEvaluationSweepTest {
    private static final int ANCHORS = 60_000; // 3 ranges of 21,824 anchors

    private static EvalInputs inputs() {
        Random rnd = new Random(2121);
        Tensor logits = Tensor.allocate(DType.FLOAT32, Shape.of(2, ANCHORS / 2, 3));
        Tensor targets = Tensor.allocate(DType.FLOAT32, logits.shape());
        Tensor weights = Tensor.allocate(DType.FLOAT32, logits.shape());
        for (long i = 0; i < logits.count(); i++) {
            logits.setDouble(i, i == 77_777 ? Double.NaN : rnd.nextGaussian() * 4 - 2);
            targets.setDouble(i, rnd.nextInt(40) == 0 ? 1 : rnd.nextInt(40) == 0 ? 0.3 : 0);
            weights.setDouble(i, rnd.nextInt(25) == 0 ? 0 : 0.5);
        }
        return new EvalInputs(logits, "l", targets, "t", weights, "w");
    }

    /** Every figure a summary reads, as bits (any NaN as one: Java leaves its sign to the JIT). */
    private static List<Object> figures(LossAccumulator a) {
        List<Object> f = new ArrayList<>();
        f.add(Double.doubleToLongBits(a.totalLoss()));
        for (AnchorKind k : AnchorKind.values()) {
            f.add(a.anchors(k));
            f.add(Double.doubleToLongBits(a.lossSum(k)));
            f.add(Double.doubleToLongBits(a.focalMean(k)));
            f.add(a.nonFiniteLoss(k));
            f.add(a.firstNonFiniteLoss(k));
        }
        for (int c = 0; c < a.classes(); c++) {
            f.add(a.classPositives(c));
            f.add(Double.doubleToLongBits(a.classLoss(c)));
        }
        for (int b = 0; b < 2; b++) {
            f.add(Double.doubleToLongBits(a.sampleLoss(b)));
        }
        f.add(a.nanLoss());
        f.add(a.firstNanLoss());
        f.add(a.nonFiniteLogits());
        for (TopK.Item item : a.top().items()) {
            f.add(item.index);
            f.add(Double.doubleToLongBits(item.loss));
        }
        return f;
    }

    @Test
    void everyPairIsItsOwnEvaluationBitForBit() {
        EvalInputs in = inputs();
        List<FocalEvaluation.Pair> pairs = new ArrayList<>();
        for (double g : new double[] {0, 0.5, 2, 3.5}) {
            for (double a : new double[] {0.25, 0.9}) {
                pairs.add(new FocalEvaluation.Pair(g, a));
            }
        }
        Kernels[] kernels = {Kernels.scalar(), Kernels.polynomial(), Kernels.vector(), Kernels.choose(true, "auto")};
        for (Kernels k : kernels) {
            for (int threads : new int[] {1, 2, 3}) {
                LossAccumulator[] sweep = new FocalEvaluation(in, LossFunction.SIGMOID_FOCAL, pairs, 1.5, 2, k).sweep(4, threads);
                for (int p = 0; p < pairs.size(); p++) {
                    FocalEvaluation.Pair pair = pairs.get(p);
                    LossAccumulator alone = new FocalEvaluation(in, pair.gamma(), pair.alpha(), 1.5, 2, k)
                            .run(null, null, 4, 1);
                    assertEquals(figures(alone), figures(sweep[p]), k + ", " + threads + " threads, " + pair);
                }
            }
        }
    }
}
