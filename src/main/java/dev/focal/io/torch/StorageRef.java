package dev.focal.io.torch;

import dev.focal.tensor.DType;

/**
 * A storage a persistent id names: its key in the file, its element type (null when focal does
 * not read that type, then {@code typeName} says which it is) and its element count.
 */
record StorageRef(String key, DType dtype, String typeName, long numel) {
}
