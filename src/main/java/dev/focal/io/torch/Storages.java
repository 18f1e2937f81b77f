package dev.focal.io.torch;

import dev.focal.io.ByteSource;
import java.nio.ByteOrder;

/** Where a file keeps its storages' bytes: records of a zip, or runs after the legacy pickles. */
interface Storages {
    /** The bytes of storage {@code ref}: checked to hold its declared count of elements. */
    ByteSource bytes(StorageRef ref);

    /** The byte order the storages were written in. */
    ByteOrder order();
}
