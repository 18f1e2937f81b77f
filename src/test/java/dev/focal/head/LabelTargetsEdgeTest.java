package dev.focal.head;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.focal.FocalException;
import dev.focal.tensor.DType;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The edges of {@link LabelTargets} that the torch fixtures (LabelTargetsTest) do not reach: the
 * first label past the classes, empty and multi-block label sets, 2-d logits, and the exact text
 * of each refusal (docs/semantics.md#labels-to-targets). Found by mutation testing
 * (docs/testing.md#mutation-testing): each test fails under a change of the code that the
 * fixtures let pass.
 */
class LabelTargetsEdgeTest {
    private static Tensor labels(DType dtype, Shape shape, long... values) {
        Tensor t = Tensor.allocate(dtype, shape);
        for (int i = 0; i < values.length; i++) {
            t.setRawBits(i, values[i]);
        }
        return t;
    }

    private static LabelTargets derive(Tensor labels, int classes, LabelTargets.Background background) {
        return LabelTargets.derive(labels, "labels.npy", classes, background, LabelTargets.Normalize.PER_SAMPLE, 1f, 1f);
    }

    private static String refusal(Runnable r) {
        FocalException e = assertThrows(FocalException.class, r::run);
        assertEquals(FocalException.INPUT, e.exitCode());
        return e.getMessage();
    }

    private static void assertStarts(String expected, String actual) {
        assertEquals(expected, actual.substring(0, Math.min(expected.length(), actual.length())));
    }

    @Test
    void labelOnePastTheClassesIsRefusedWithTheBackgroundFirst() {
        // OpenPCDet's one-hot has C + 1 columns (0 = background): label C fills the last, C + 1 is
        // out of the scatter's range.
        LabelTargets ok = derive(labels(DType.INT64, Shape.of(1, 3), 0, 1, 3), 3, LabelTargets.Background.FIRST);
        assertEquals(2, ok.positives[0]);
        String m = refusal(() -> derive(labels(DType.INT64, Shape.of(1, 3), 0, 4, 1), 3, LabelTargets.Background.FIRST));
        assertEquals("labels.npy: label 4 at [0, 1] is out of range for --num-classes 3 (valid: negative = ignored,"
                + " 0 (background) and 1..3); the reference would crash in scatter", m);
    }

    @Test
    void outOfRangeMessageNamesTheValidLabelsWithTheBackgroundLast() {
        String m = refusal(() -> derive(labels(DType.INT32, Shape.of(4), 3, 0, -1, 4), 3, LabelTargets.Background.LAST));
        assertEquals("labels.npy: label 4 at [3] is out of range for --num-classes 3 (valid: negative = ignored,"
                + " 0..2 and 3 (background)); the reference would crash in scatter", m);
    }

    @Test
    void uint64LabelAboveTheSignedRangeIsNamedUnsigned() {
        Tensor l = labels(DType.UINT64, Shape.of(1, 4), 1, 0, Long.MIN_VALUE, 2);
        String m = refusal(() -> derive(l, 3, LabelTargets.Background.FIRST));
        assertStarts("labels.npy: label 9223372036854775808 at [0, 2] is out of range", m);
    }

    @Test
    void floatLabelOf1e15IsAnIntegerAndOutOfRange() {
        // 1e15 < 2^53 is an exact integer; the refusal of non-integers starts above it.
        Tensor l = Tensor.ofDoubles(Shape.of(2), 1, 1e15);
        String m = refusal(() -> derive(l, 3, LabelTargets.Background.FIRST));
        assertStarts("labels.npy: label 1000000000000000 at [1] is out of range", m);
        Tensor half = Tensor.ofDoubles(Shape.of(2), 1, 1.5);
        assertEquals("labels.npy: label at [1] is 1.5, not an integer",
                refusal(() -> derive(half, 3, LabelTargets.Background.FIRST)));
    }

    @Test
    void emptyLabelsWriteEmptyTargets() {
        LabelTargets r = derive(labels(DType.INT64, Shape.of(2, 0)), 3, LabelTargets.Background.FIRST);
        assertEquals(2, r.samples());
        Tensor t = Tensor.allocate(DType.FLOAT32, r.targetsShape());
        Tensor w = Tensor.allocate(DType.FLOAT32, r.weightsShape());
        r.write(t, w);
        assertEquals(Shape.of(2, 0, 3), t.shape());
        assertEquals(0, t.count());
    }

    @Test
    void targetsOfManyBlocksAreOneHotInEveryBlock() {
        // More anchors than one block of write(): the later blocks land at their own offsets.
        int anchors = 3 * 4096 + 17;
        int classes = 3;
        Tensor l = Tensor.allocate(DType.INT64, Shape.of(1, anchors));
        for (int a = 0; a < anchors; a++) {
            l.setRawBits(a, a % 5 - 1); // -1 ignored, 0 background, 1..3 classes
        }
        LabelTargets r = derive(l, classes, LabelTargets.Background.FIRST);
        Tensor t = Tensor.allocate(DType.FLOAT32, r.targetsShape());
        Tensor w = Tensor.allocate(DType.FLOAT32, r.weightsShape());
        r.write(t, w);
        long positives = r.positives[0];
        assertEquals(3L * (anchors / 5) + Math.min(3, Math.max(0, anchors % 5 - 2)), positives);
        for (int a = 0; a < anchors; a++) {
            long label = a % 5 - 1;
            for (int c = 0; c < classes; c++) {
                assertEquals(label == c + 1 ? 1.0 : 0.0, t.getDouble((long) a * classes + c), "target " + a + "," + c);
            }
            // Weights 1/positives for anchors that count (background and classes), 0 for ignored.
            assertEquals(label < 0 ? 0.0 : (double) (1f / positives), w.getDouble(a), "weight " + a);
        }
    }

    @Test
    void twoDimensionalLogitsKeepTheirBatch() {
        // torch: cls_preds (2, 6).view(2, -1, 2) is (2, 3, 2), as labels (2, 3) with C = 2 need.
        Tensor logits = Tensor.ofDoubles(Shape.of(2, 6), 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        Tensor v = LabelTargets.reshapeLogits(logits, "cls_preds.npy", Shape.of(2, 3), 2);
        assertEquals(Shape.of(2, 3, 2), v.shape());
        assertEquals(7.0, v.getDouble(7));
    }

    @Test
    void reshapeRefusalsSayWhatTheLogitsMakeAndWhichClassesFit() {
        Tensor divisible = Tensor.allocate(DType.FLOAT32, Shape.of(2, 4, 4, 6));
        assertEquals("cls_preds.npy: logits (2, 4, 4, 6) reshaped to (B, -1, C) with B = 2, C = 3 make 32 anchors"
                        + " per sample, but the labels (2, 30) have 2 samples of 30 anchors; no C fits them: 192"
                        + " logits are not a multiple of 60 labels",
                refusal(() -> LabelTargets.reshapeLogits(divisible, "cls_preds.npy", Shape.of(2, 30), 3)));
        Tensor ragged = Tensor.allocate(DType.FLOAT32, Shape.of(2, 7));
        assertEquals("cls_preds.npy: logits (2, 7) reshaped to (B, -1, C) with B = 2, C = 2 are not a multiple of"
                        + " B*C = 4, but the labels (2, 3) have 2 samples of 3 anchors; no C fits them: 14 logits are"
                        + " not a multiple of 6 labels",
                refusal(() -> LabelTargets.reshapeLogits(ragged, "cls_preds.npy", Shape.of(2, 3), 2)));
        Tensor points = Tensor.allocate(DType.FLOAT32, Shape.of(15));
        assertEquals("cls_preds.npy: logits (15,) reshaped to (-1, C) with C = 2 are not a multiple of C = 2, but"
                        + " the labels (5,) have 5 points; C = 3 fits them (the logits hold 3 values per label)",
                refusal(() -> LabelTargets.reshapeLogits(points, "cls_preds.npy", Shape.of(5), 2)));
        // The counts agree, the batch does not: no other C would help.
        Tensor otherBatch = Tensor.allocate(DType.FLOAT32, Shape.of(4, 2, 4, 6));
        assertEquals("cls_preds.npy: logits (4, 2, 4, 6) reshaped to (B, -1, C) with B = 4, C = 3 make 16 anchors"
                        + " per sample, but the labels (2, 32) have 2 samples of 32 anchors",
                refusal(() -> LabelTargets.reshapeLogits(otherBatch, "cls_preds.npy", Shape.of(2, 32), 3)));
    }

    @Test
    void reshapeRefusesLogitsWithoutSamplesOrLabelsWithoutAnchors() {
        Tensor noSamples = Tensor.allocate(DType.FLOAT32, Shape.of(0, 6));
        assertEquals("cls_preds.npy: logits (0, 6) reshaped to (B, -1, C) with B = 0, C = 2 are not a multiple of"
                        + " B*C = 0, but the labels (2, 3) have 2 samples of 3 anchors",
                refusal(() -> LabelTargets.reshapeLogits(noSamples, "cls_preds.npy", Shape.of(2, 3), 2)));
        Tensor logits = Tensor.allocate(DType.FLOAT32, Shape.of(2, 6));
        assertEquals("cls_preds.npy: logits (2, 6) reshaped to (B, -1, C) with B = 2, C = 2 make 3 anchors per"
                        + " sample, but the labels (2, 0) have 2 samples of 0 anchors",
                refusal(() -> LabelTargets.reshapeLogits(logits, "cls_preds.npy", Shape.of(2, 0), 2)));
    }
}
