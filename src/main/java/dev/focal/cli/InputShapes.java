package dev.focal.cli;

import dev.focal.FocalException;
import dev.focal.tensor.Tensor;
import java.util.Locale;

/**
 * eval's refusal of logits and targets whose shapes differ, naming the likely cause and the flag
 * that fixes it: the two mistakes people make with OpenPCDet dumps are passing the integer anchor
 * labels as targets, and the head's raw {@code (B, H, W, K*C)} output against {@code (B, A, C)}
 * targets. (EvalInputs refuses such shapes too; this is the same refusal, worded for the command line.)
 */
final class InputShapes {
    private InputShapes() {
    }

    /**
     * The refusal of targets whose shape is not the logits'; {@code classAxis} is the axis of the
     * logits that, moved last, would give the targets' shape (-1 when none does).
     */
    static FocalException mismatch(Tensor logits, Tensor targets, String targetsName, int classAxis) {
        String base = "targets have shape " + targets.shape() + " (" + targets.dtype().numpyName()
                + ") but logits have shape " + logits.shape() + "; they must be identical";
        long x = logits.count();
        long t = targets.count();
        String hint;
        if (classAxis >= 0) {
            hint = "the targets have the classes last and the logits on axis " + classAxis + ": give --class-axis "
                    + classAxis;
        } else if (!targets.dtype().isFloat() && t > 0 && x % t == 0 && x > t) {
            hint = "these look like anchor labels: use --labels " + targetsName + " --num-classes " + (x / t)
                    + " (the logits hold " + (x / t) + " values per label)";
        } else if (x == t) {
            hint = "both hold " + String.format(Locale.ROOT, "%,d", x) + " elements: the logits look like the head's"
                    + " raw output; reshape them to the targets' shape, or give the labels with --labels FILE"
                    + " --num-classes C, which reshapes them as the head does";
        } else {
            hint = "focal does not broadcast them, as the reference would, silently";
        }
        return FocalException.input(targetsName, base + "; " + hint);
    }
}
