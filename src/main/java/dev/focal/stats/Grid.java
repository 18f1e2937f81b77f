package dev.focal.stats;

/**
 * The bird's-eye-view grid of an anchor head: each sample's anchors are {@code height * width}
 * cells of {@code anchorsPerCell} anchors, row-major as the head's {@code (B, H, W, K*C)} output
 * holds them, so anchor a of a sample sits in cell {@code a / anchorsPerCell}. The pass gathers
 * the cells of the first {@code samples} samples only, which bounds its memory whatever the batch.
 */
public record Grid(int height, int width, int anchorsPerCell, int samples) {
    public Grid {
        if (height < 1 || width < 1 || anchorsPerCell < 1 || samples < 0) {
            throw new IllegalArgumentException("grid " + height + " x " + width + " x " + anchorsPerCell);
        }
    }

    public int cellsPerSample() {
        return height * width;
    }

    /** The cells gathered: those of the first {@link #samples} samples. */
    public int cells() {
        return samples * cellsPerSample();
    }

    public long anchorsPerSample() {
        return (long) cellsPerSample() * anchorsPerCell;
    }
}
