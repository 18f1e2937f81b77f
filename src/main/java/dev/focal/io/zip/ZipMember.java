package dev.focal.io.zip;

import dev.focal.FocalException;
import dev.focal.io.IoErrors;

/**
 * One central directory entry, with zip64 values resolved. {@code rawName} is kept to check
 * the local header against it.
 */
public record ZipMember(String name, byte[] rawName, int flags, int method, long crc, long compressedSize,
                 long size, long localHeaderOffset) {
    public static final int STORED = 0;
    public static final int DEFLATED = 8;

    public boolean encrypted() {
        return (flags & 1) != 0;
    }

    /** {@code FILE: member NAME: problem}, exit 3. */
    public FocalException error(String file, String problem) {
        return FocalException.input(file, "member " + IoErrors.shown(name) + ": " + problem);
    }
}
