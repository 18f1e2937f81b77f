package dev.focal.io;

import dev.focal.FocalException;

/**
 * One central directory entry, with zip64 values resolved. {@code rawName} is kept to check
 * the local header against it.
 */
record ZipMember(String name, byte[] rawName, int flags, int method, long crc, long compressedSize,
                 long size, long localHeaderOffset) {
    static final int STORED = 0;
    static final int DEFLATED = 8;

    boolean encrypted() {
        return (flags & 1) != 0;
    }

    /** {@code FILE: member NAME: problem}, exit 3. */
    FocalException error(String file, String problem) {
        return FocalException.input(file, "member " + IoErrors.shown(name) + ": " + problem);
    }
}
