package dev.focal.tensor;

/**
 * Elements computed with one axis moved last (the loss's layout, docs/semantics.md#class-axis),
 * stored where they lie with that axis in its place: the per-element outputs of a class-first
 * input, such as CenterHead's {@code (B, C, H, W)} heatmaps, have its layout, element for element,
 * as torch's elementwise loss and autograd's gradient have.
 * <p>
 * Writes come in whole rows of the moved layout (the pass writes whole anchors). With the target
 * {@code (outer..., C, inner...)}, a row is one {@code (outer, inner)} position and its C values
 * go to C places {@code inner} apart; consecutive rows within one {@code outer} position are
 * consecutive there, so each class's values of a block are written as runs.
 */
public final class AxisRestoringSink implements TensorSink {
    private final TensorSink target;
    private final Shape moved;
    /** The moved axis's size. */
    private final long width;
    /** Elements of the target after the axis: the step between a row's values there. */
    private final long inner;

    private AxisRestoringSink(TensorSink target, int axis) {
        this.target = target;
        long[] dims = target.shape().dims();
        moved = Shape.of(Shape.movedLast(dims, axis));
        width = dims[axis];
        long n = 1;
        for (int k = axis + 1; k < dims.length; k++) {
            n *= dims[k];
        }
        inner = n;
    }

    /**
     * A sink taking elements laid out as {@code target} with its axis {@code axis} moved last;
     * {@code target} itself when that axis is the last (or a 0-d tensor's -1), or nothing is written.
     */
    public static TensorSink of(TensorSink target, int axis) {
        return target == null || axis < 0 || axis >= target.shape().rank() - 1 || target.shape().count() == 0 ? target
                : new AxisRestoringSink(target, axis);
    }

    /** {@code shape} with its last axis put back at {@code axis}: the inverse of {@link Shape#movedLast}. */
    public static Shape restored(Shape shape, int axis) {
        long[] dims = shape.dims();
        int r = dims.length;
        if (axis < 0 || axis >= r - 1) {
            return shape;
        }
        long[] back = new long[r];
        for (int k = 0, j = 0; k < r; k++) {
            back[k] = k == axis ? dims[r - 1] : dims[j++];
        }
        return Shape.of(back);
    }

    @Override
    public DType dtype() {
        return target.dtype();
    }

    @Override
    public Shape shape() {
        return moved;
    }

    /** Where the value of class {@code c} of row {@code row} of the moved layout lies in the target. */
    private long at(long row, long c) {
        return (row / inner * width + c) * inner + row % inner;
    }

    @Override
    public void writeColumns(long start, double[] columns, int rows, int columnCount) {
        long row0 = start / width;
        double[] run = new double[(int) Math.min(rows, inner)];
        for (int r = 0; r < rows; ) {
            int n = (int) Math.min(rows - r, inner - (row0 + r) % inner);
            for (int c = 0; c < columnCount; c++) {
                System.arraycopy(columns, c * rows + r, run, 0, n);
                target.writeColumns(at(row0 + r, c), run, n, 1);
            }
            r += n;
        }
    }

    @Override
    public void writeFloats(long start, float[] src, int count) {
        long row0 = start / width;
        int rows = (int) (count / width);
        float[] run = new float[(int) Math.min(rows, inner)];
        for (int r = 0; r < rows; ) {
            int n = (int) Math.min(rows - r, inner - (row0 + r) % inner);
            for (int c = 0; c < width; c++) {
                for (int j = 0; j < n; j++) {
                    run[j] = src[(int) ((r + j) * width + c)];
                }
                target.writeFloats(at(row0 + r, c), run, n);
            }
            r += n;
        }
    }
}
