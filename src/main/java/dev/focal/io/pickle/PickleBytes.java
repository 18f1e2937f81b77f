package dev.focal.io.pickle;

import dev.focal.io.ByteSource;

/**
 * A bytes or bytearray object, left where it is in the file: array data in a pickle is mapped
 * as tensor storage, never copied onto the heap.
 */
public record PickleBytes(ByteSource source, long offset, long length) {
}
