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
 */
record Settings(boolean ci, boolean progress) {
    static Settings from(Map<String, String> env) {
        String ci = env.get("CI");
        boolean inCi = ci != null && !ci.equals("0") && !ci.toLowerCase(Locale.ROOT).equals("false");
        return new Settings(inCi, Boolean.getBoolean("focal.progress"));
    }
}
