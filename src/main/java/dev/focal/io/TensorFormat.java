package dev.focal.io;

import dev.focal.tensor.DType;
import dev.focal.tensor.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Map;

/** One file format: how to recognise it, read it and (where supported) write it. */
public interface TensorFormat {
    /** Short name for messages: {@code .npy}, {@code .npz}, {@code JSON}. */
    String name();

    /** Whether the file's first bytes look like this format. */
    boolean matchesContent(byte[] head, int length);

    /** Whether the file name's extension belongs to this format. */
    boolean matchesExtension(String fileName);

    /**
     * Whether a file of this format can hold several named tensors (a bundle, as {@code focal eval}
     * takes one), so that a folder's bundles are found by their names alone.
     */
    default boolean holdsBundles() {
        return true;
    }

    /** Opens the file; failures are {@link dev.focal.FocalException}s with exit code 3. */
    TensorFile open(Path path, String name);

    /** Whether {@link #write} is supported. */
    default boolean canWrite() {
        return false;
    }

    /** The dtype {@link #write} stores a tensor of {@code dtype} as: itself unless the format lacks it. */
    default DType writtenAs(DType dtype) {
        return dtype;
    }

    /** Whether the format holds named tensors: {@link #write(Map, Map, OutputStream)} instead of one. */
    default boolean writesBundles() {
        return false;
    }

    /** Writes named tensors, and metadata where the format keeps it, to the stream in this format. */
    default void write(Map<String, Tensor> tensors, Map<String, String> metadata, OutputStream out)
            throws IOException {
        throw new UnsupportedOperationException(name() + " bundles");
    }

    /** Writes the tensor to the stream in this format. */
    default void write(Tensor tensor, OutputStream out) throws IOException {
        throw new UnsupportedOperationException(name() + " output");
    }
}
