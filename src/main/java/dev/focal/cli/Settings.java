package dev.focal.cli;

import java.util.Locale;
import java.util.Map;

/**
 * What the environment tells a run, read once by {@link Main} and passed down, so that a test can
 * set it without a child JVM.
 *
 * @param ci whether the run is in CI: the {@code CI} variable that GitHub Actions, GitLab, Jenkins
 *           and most other CI systems set, unless it is {@code false} or {@code 0}. In CI a missing
 *           golden file is a failed check and is not written (as Jest and insta do), so that a
 *           build can never turn green by writing its own reference.
 * @param progress whether a long run may draw a progress line: the launcher sets the property
 *                 {@code focal.progress} when stderr is a terminal, which Java 17 cannot tell
 * @param kernel {@code FOCAL_KERNEL} in lower case, {@code auto} when unset: the loss kernel
 *               {@link dev.focal.loss.Kernels#choose} is asked for
 * @param fsync whether outputs are forced to disk before their rename: {@code FOCAL_FSYNC=1}
 *              (see {@link dev.focal.io.AtomicFile#syncToDisk}). {@code FOCAL_VECTOR} is not
 *              here: only the launcher reads it, to decide whether the JVM gets the Vector API.
 */
record Settings(boolean ci, boolean progress, String kernel, boolean fsync) {
    static Settings from(Map<String, String> env) {
        String ci = env.get("CI");
        boolean inCi = ci != null && !ci.equals("0") && !ci.toLowerCase(Locale.ROOT).equals("false");
        return new Settings(inCi, Boolean.getBoolean("focal.progress"),
                env.getOrDefault("FOCAL_KERNEL", "auto").toLowerCase(Locale.ROOT), "1".equals(env.get("FOCAL_FSYNC")));
    }
}
