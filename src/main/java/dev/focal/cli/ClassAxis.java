package dev.focal.cli;

import dev.focal.FocalException;
import dev.focal.tensor.Shape;
import dev.focal.tensor.Tensor;

/**
 * eval's {@code --class-axis}: which axis of the logits (and of targets laid out like them) holds
 * the classes (docs/semantics.md#class-axis). The loss is evaluated with that axis moved last,
 * as TransFusion permutes its {@code (B, C, P)} logits to {@code (B, P, C)}; a class-first array
 * read with the classes last gives a wrong loss without any shape error, so the likely cases are
 * named: a refusal where the shapes cannot match, a warning where they can.
 */
final class ClassAxis {
    private final Integer given;

    ClassAxis(Integer given) {
        this.given = given;
    }

    /** Logits and targets as {@link dev.focal.loss.EvalInputs} takes them, with the classes on {@code axis}. */
    record Targets(Tensor logits, Tensor targets, int axis) {
    }

    /**
     * The class axis of a tensor of shape {@code s}, from 0: the given one (negative counts from
     * the end, as numpy's), else the last; -1 for a 0-d tensor without the option.
     */
    int of(Shape s, String name) {
        int r = s.rank();
        if (given == null) {
            return r - 1;
        }
        int axis = given < 0 ? given + r : given;
        if (axis < 0 || axis >= r) {
            throw FocalException.usage("--class-axis " + given + " is out of range for " + name + " of shape " + s
                    + " (" + r + (r == 1 ? " axis" : " axes") + ")");
        }
        return axis;
    }

    /**
     * Targets mode: targets laid out as the logits are, or already with the classes last (the
     * logits then are moved alone). Other shapes are refused, naming the class axis that would
     * make them fit when there is one.
     */
    Targets targets(Tensor logits, String logitsName, Tensor targets, String targetsName) {
        int axis = of(logits.shape(), logitsName);
        if (targets.shape().equals(logits.shape())) {
            return new Targets(logits, targets, axis);
        }
        Tensor moved = logits.moveAxisLast(Math.max(axis, 0));
        if (moved.shape().equals(targets.shape())) {
            return new Targets(moved, targets, moved.shape().rank() - 1);
        }
        throw InputShapes.mismatch(logits, targets, targetsName, given == null ? fitting(logits, targets) : -1);
    }

    /** The axis of the logits that, moved last, gives the targets' shape; -1 when none does. */
    private static int fitting(Tensor logits, Tensor targets) {
        for (int k = 0; k < logits.shape().rank() - 1; k++) {
            if (logits.moveAxisLast(k).shape().equals(targets.shape())) {
                return k;
            }
        }
        return -1;
    }

    /**
     * Labels mode: the logits with their class axis last, before the head's reshape. Without the
     * option, logits whose axis 1 has C values while the last has not are most likely class-first
     * (TransFusion's {@code (B, C, P)}): the reshape accepts them all the same, so warn.
     */
    Tensor labels(Tensor logits, String logitsName, int classes, Warnings warnings) {
        Shape s = logits.shape();
        int r = s.rank();
        if (given == null && r >= 3 && s.dim(1) == classes && s.dim(r - 1) != classes) {
            warnings.layout(logitsName + ": logits " + s + " have " + classes + " values on axis 1, --num-classes,"
                    + " and " + s.dim(r - 1) + " on the last axis; if the classes are on axis 1 (TransFusion's"
                    + " (B, C, P)), give --class-axis 1 (the loss read with the classes last is wrong without"
                    + " a shape error)");
        }
        int axis = of(s, logitsName);
        return axis < 0 ? logits : logits.moveAxisLast(axis);
    }
}
