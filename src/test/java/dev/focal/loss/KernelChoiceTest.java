package dev.focal.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.focal.stats.AnchorKind;
import dev.focal.stats.LossAccumulator;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * What {@link Kernels#choose} hands out, and why it may switch kernels mid-evaluation: a whole
 * evaluation gives the same bits, per element and in every summary figure, whichever of the
 * vector kernel and its scalar twin computed which block (NaN aside, whose sign and payload
 * depend on the compiled code, and which outputs write as numpy's NaN). Surefire runs with the
 * incubating vector module, as the launcher does for big inputs.
 */
class KernelChoiceTest {

    @Test
    void float64OutputsGetFocalMathAndFloat32OutputsThePolynomialKernelsWithTheReason() {
        Kernels f64 = Kernels.choose(false, "auto");
        assertSame(LossMath.SCALAR, f64.math());
        assertEquals("scalar: float64 output", f64.toString());
        assertNotNull(Kernels.vector(), "the test JVM must run with --add-modules jdk.incubator.vector");
        Kernels f32 = Kernels.choose(true, "auto");
        assertEquals(Kernels.vector() + " once compiled, polynomial before: float32 output, jdk.incubator.vector loaded",
                f32.toString());
        assertTrue(f32.toString().matches("vector \\(\\d+ x double\\) once compiled.*"), f32.toString());
    }

    /** FOCAL_KERNEL overrides the choice whatever the output's dtype. */
    @Test
    void theWishOverridesTheChoice() {
        assertEquals("scalar: FOCAL_KERNEL=scalar", Kernels.choose(true, "scalar").toString());
        assertSame(LossMath.POLYNOMIAL, Kernels.choose(false, "polynomial").math());
        assertEquals("polynomial: FOCAL_KERNEL=polynomial", Kernels.choose(false, "polynomial").toString());
        Kernels vector = Kernels.choose(false, "vector");
        assertSame(Kernels.vector().math(), vector.math());
        assertSame(Kernels.vector().sums(), vector.sums());
        assertSame(Kernels.vector().transposer(), vector.transposer());
        assertEquals(Kernels.vector() + ": FOCAL_KERNEL=vector", vector.toString());
        assertEquals("float64 output", Kernels.choose(false, "fast").toString().replaceFirst(".*: ", ""),
                "another word counts as auto");
    }

    /** The scalar warm-up's block takes every branch of the accumulators that real data takes. */
    @Test
    void theScalarWarmUpBlockHasEveryKindOfAnchorAndTwoSamples() {
        LossAccumulator acc = WarmUp.heatScalar();
        long positive = acc.anchors(AnchorKind.POSITIVE);
        long negative = acc.anchors(AnchorKind.NEGATIVE);
        long ignored = acc.anchors(AnchorKind.IGNORED);
        assertEquals(List.of(4L, 160L, 6L), List.of(positive, negative, ignored));
        assertEquals(positive, acc.classPositives(0) + acc.classPositives(1) + acc.classPositives(2),
                "one target per positive anchor");
        assertTrue(acc.sampleLoss(0) > 0 && acc.sampleLoss(1) > 0, acc.sampleLoss(0) + " " + acc.sampleLoss(1));
        assertEquals(acc.totalLoss(), acc.sampleLoss(0) + acc.sampleLoss(1), 1e-12);
    }

    /**
     * The warm-up runs the vector kernel until it sees it at compiled speed and says so, after
     * which {@code auto}'s kernels hand it the blocks. The JIT compiles it within a second or two
     * (the warm-up gives up after 20 s).
     */
    @Test
    void theWarmUpSeesTheVectorKernelCompiled() {
        assertTrue(WarmUp.heat(Kernels.vector()), "the vector kernel was not seen compiled within 20 s");
    }

    /** The warm-up thread's work: the vector kernel when loaded, else the scalar kernel when asked, else none. */
    @Test
    void theWarmUpWarmsTheKernelsThatWillRun() {
        assertNotNull(WarmUp.task(Kernels.vector(), false));
        assertNotNull(WarmUp.task(null, true));
        assertNull(WarmUp.task(null, false));
    }

    @Test
    void theVectorModuleIsFoundInTheBootLayerByName() {
        assertTrue(Kernels.inBootLayer("jdk.incubator.vector"));
        assertTrue(Kernels.inBootLayer("java.base"));
        assertFalse(Kernels.inBootLayer("jdk.incubator.vectors"));
    }

    @Test
    void anEvaluationGivesTheSameBitsWithEitherPolynomialKernel() {
        int anchors = 70_000; // two ranges and a part, so that merging is exercised too
        int classes = 3;
        SplittableRandom rnd = new SplittableRandom(3);
        Tensor logits = Tensor.allocate(DType.FLOAT32, Shape.of(2, anchors / 2, classes));
        Tensor targets = Tensor.allocate(DType.FLOAT32, logits.shape());
        Tensor weights = Tensor.allocate(DType.FLOAT32, Shape.of(2, anchors / 2));
        for (int a = 0; a < anchors; a++) {
            int label = rnd.nextInt(50) == 0 ? rnd.nextInt(classes) : -1;
            weights.setDouble(a, rnd.nextInt(20) == 0 ? 0 : rnd.nextDouble(0.01, 2));
            for (int c = 0; c < classes; c++) {
                int i = a * classes + c;
                logits.setDouble(i, i % 997 == 0 ? Double.NaN : rnd.nextGaussian() * 5 - 3);
                targets.setDouble(i, c == label ? 1 : rnd.nextInt(30) == 0 ? rnd.nextDouble() : 0);
            }
        }
        EvalInputs in = new EvalInputs(logits, "logits", targets, "targets", weights, "weights");
        Tensor viaTwin = Tensor.allocate(DType.FLOAT32, logits.shape());
        Tensor viaLanes = Tensor.allocate(DType.FLOAT32, logits.shape());
        LossAccumulator twin = new FocalEvaluation(in, 2, 0.25, 1, 2, Kernels.polynomial()).run(viaTwin, null, 3, 2);
        LossAccumulator lanes = new FocalEvaluation(in, 2, 0.25, 1, 2, Kernels.vector()).run(viaLanes, null, 3, 1);

        for (long i = 0; i < logits.count(); i++) {
            assertEquals(Float.floatToIntBits((float) viaTwin.getDouble(i)),
                    Float.floatToIntBits((float) viaLanes.getDouble(i)), "element " + i);
        }
        assertEquals(twin.totalLoss(), lanes.totalLoss(), 0.0);
        assertTrue(Double.isNaN(twin.totalLoss()), "the NaN logits show in the total");
        for (AnchorKind k : AnchorKind.values()) {
            assertEquals(twin.anchors(k), lanes.anchors(k), k.toString());
            assertEquals(Double.doubleToLongBits(twin.lossSum(k)), Double.doubleToLongBits(lanes.lossSum(k)),
                    k.toString());
            assertEquals(Double.doubleToLongBits(twin.focalMean(k)), Double.doubleToLongBits(lanes.focalMean(k)),
                    k.toString());
            assertEquals(twin.nonFiniteLoss(k), lanes.nonFiniteLoss(k), k.toString());
        }
        for (int c = 0; c < classes; c++) {
            assertEquals(Double.doubleToLongBits(twin.classLoss(c)), Double.doubleToLongBits(lanes.classLoss(c)));
        }
        for (int s = 0; s < 2; s++) {
            assertEquals(Double.doubleToLongBits(twin.sampleLoss(s)), Double.doubleToLongBits(lanes.sampleLoss(s)));
        }
        assertTrue(twin.anchors(AnchorKind.POSITIVE) > 1000 && twin.anchors(AnchorKind.IGNORED) > 1000,
                "every kind of anchor is present");
    }
}
