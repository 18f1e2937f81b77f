package dev.focal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/focal's own work, run in a copy of the project layout whose jar is made here from the
 * compiled classes (the real jar is only packaged after the tests): the class-data-sharing file
 * it records on first use, and uses and remakes when stale (FOCAL_CDS), and the Vector API
 * module's stderr notice, which it filters out while passing the exit code on (FOCAL_VECTOR).
 */
class LauncherTest {
    @TempDir
    Path temp;
    private Path root;
    private Path jar;

    @BeforeEach
    void layOutAProject() throws IOException {
        layOutAProjectIn("focal");
    }

    private void layOutAProjectIn(String name) throws IOException {
        root = temp.resolve(name);
        Path bin = Files.createDirectories(root.resolve("bin"));
        Files.copy(Paths.get("bin", "focal"), bin.resolve("focal"));
        copyTree(Paths.get("samples"), root.resolve("samples"));
        jar = Files.createDirectories(root.resolve("target")).resolve("focal.jar");
        writeJar(jar);
        JvmProfile.main(new String[] {root.resolve("target/jvm").toString()});
    }

    /**
     * A copy rather than a symlink: JUnit warns on stderr about every link out of a temporary
     * directory that it deletes.
     */
    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> tree = Files.walk(from)) {
            for (Path p : (Iterable<Path>) tree::iterator) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        }
    }

    /** The compiled classes (focal's and picocli's), and jackson's and JFreeChart's jars on the manifest's Class-Path. */
    private static void writeJar(Path jar) throws IOException {
        Manifest manifest = new Manifest();
        Attributes a = manifest.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.put(Attributes.Name.MAIN_CLASS, Main.class.getName());
        a.put(Attributes.Name.CLASS_PATH, Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> (e.contains("jackson") || e.contains("jfree")) && e.endsWith(".jar"))
                .map(e -> Paths.get(e).toUri().toString()).collect(Collectors.joining(" ")));
        Path classes = Paths.get("target", "classes");
        try (OutputStream file = Files.newOutputStream(jar);
             JarOutputStream out = new JarOutputStream(file, manifest);
             Stream<Path> tree = Files.walk(classes)) {
            for (Path p : (Iterable<Path>) tree.filter(Files::isRegularFile)::iterator) {
                out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace(File.separatorChar, '/')));
                Files.copy(p, out);
                out.closeEntry();
            }
        }
    }

    private ChildJvm.Result focal(String env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("env", "JAVA_HOME=" + System.getProperty("java.home")));
        if (!env.isEmpty()) {
            cmd.addAll(List.of(env.split(" ")));
        }
        cmd.add(root.resolve("bin").resolve("focal").toString());
        cmd.addAll(List.of(args));
        return ChildJvm.exec(cmd);
    }

    /**
     * What --version prints through the launcher: the jar made here has no Implementation-Version,
     * and the Java line shows that the launcher ran the JDK of JAVA_HOME.
     */
    private static String version() {
        return "focal (development build)\nJava " + System.getProperty("java.version") + " ("
                + System.getProperty("java.vm.name") + ")\n";
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private List<Path> cdsFiles() throws IOException {
        return targetFiles("focal-.+\\.(jsa|aot)");
    }

    /** The files of the layout's target folder whose names match {@code regex}. */
    private List<Path> targetFiles(String regex) throws IOException {
        try (Stream<Path> files = Files.list(root.resolve("target"))) {
            return files.filter(p -> p.getFileName().toString().matches(regex)).collect(Collectors.toList());
        }
    }

    @Tag("process")
    @Test
    void theFirstRunRecordsAClassDataFileThatLaterRunsMapAndAStaleOneIsMadeAgain() throws Exception {
        ChildJvm.Result first = focal("", "--version");
        assertEquals(0, first.code, first.toString());
        assertEquals(version(), first.out);
        assertEquals("", first.err);
        List<Path> made = cdsFiles();
        assertEquals(1, made.size(), made.toString());
        FileTime recorded = Files.getLastModifiedTime(made.get(0));

        // Class loading shows where each class came from: every class of focal and picocli that an
        // eval loads, from the shared file, none from the jar. (Jackson, on the Class-Path of the
        // jar made here rather than shaded into it, is archived only from the real jar. Which lambda
        // classes an archive holds depends on the JDK: Java 25's AOT cache leaves out some.)
        ChildJvm.Result later = focal("JAVA_OPTS=-Xlog:class+load=info", "eval", "samples/tiny.json");
        assertEquals(0, later.code, later.toString());
        Map<String, String> sources = new TreeMap<>();
        Matcher loaded = Pattern.compile("\\[class,load\\] ((?:dev\\.focal|picocli)\\.\\S+) source: (.*)")
                .matcher(later.out);
        while (loaded.find()) {
            if (!loaded.group(1).contains("$$Lambda")) {
                sources.put(loaded.group(1), loaded.group(2));
            }
        }
        for (String c : List.of("dev.focal.cli.Main", "dev.focal.cli.EvalCommand", "dev.focal.io.json.JsonFormat",
                "dev.focal.loss.FocalEvaluation", "dev.focal.cli.SummaryTable", "picocli.CommandLine")) {
            assertEquals("shared objects file", sources.get(c), c);
        }
        assertEquals(Map.of(), sources.entrySet().stream().filter(e -> !e.getValue().equals("shared objects file"))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)), "classes loaded from the jars");
        assertEquals(recorded, Files.getLastModifiedTime(made.get(0)), "an up-to-date file is kept");
        // So does a run under C, which the launcher starts under C.UTF-8.
        ChildJvm.Result c = focal("LC_ALL=C JAVA_OPTS=-Xlog:class+load=info", "--version");
        assertEquals(0, c.code, c.toString());
        assertTrue(c.out.contains("dev.focal.cli.Main source: shared objects file"), c.out);
        assertEquals(List.of(made.get(0)), cdsFiles());
        assertEquals(recorded, Files.getLastModifiedTime(made.get(0)), "the locale does not make the file stale");

        // A jar newer than the file (a rebuild) makes it stale.
        Files.setLastModifiedTime(jar, FileTime.fromMillis(recorded.toMillis() + 60_000));
        ChildJvm.Result rebuilt = focal("", "--version");
        assertEquals(0, rebuilt.code, rebuilt.toString());
        assertEquals(version(), rebuilt.out);
        assertEquals(made, cdsFiles());
        assertNotEquals(recorded, Files.getLastModifiedTime(made.get(0)), "a stale file is made again");
    }

    /**
     * A run that draws a report (--report FILE, --report=FILE, --plots DIR) maps a file of its own,
     * recorded with the report's classes, so that the common one stays as small as plain runs need.
     */
    @Tag("process")
    @Test
    void aReportRunMapsAClassDataFileOfItsOwnThatHoldsTheReportsClasses() throws Exception {
        ChildJvm.Result plain = focal("FOCAL_TRACE=1", "eval", "samples/tiny.json");
        assertEquals(0, plain.code, plain.toString());
        List<Path> common = cdsFiles();
        assertEquals(1, common.size(), common.toString());
        assertTrue(plain.err.contains(common.get(0).toString()), plain.err);

        Path page = temp.resolve("report.html");
        ChildJvm.Result report = focal("JAVA_OPTS=-Xlog:class+load=info", "eval", "samples/tiny.json",
                "--report", page.toString());
        assertEquals(0, report.code, report.toString());
        assertTrue(Files.isRegularFile(page));
        List<Path> both = cdsFiles();
        assertEquals(2, both.size(), both.toString());
        both.removeAll(common);
        assertTrue(both.get(0).getFileName().toString().matches("focal-.+-base-report\\.(jsa|aot)"), both.toString());
        for (String c : List.of("dev.focal.report.Report", "dev.focal.report.Charts", "dev.focal.cli.Main")) {
            assertTrue(report.out.contains("[class,load] " + c + " source: shared objects file"), c + "\n" + report.out);
        }

        for (String option : List.of("--report=" + page, "--plots=" + temp.resolve("plots"))) {
            ChildJvm.Result traced = focal("FOCAL_TRACE=1", "eval", "samples/tiny.json", option);
            assertEquals(0, traced.code, traced.toString());
            assertTrue(traced.err.contains(both.get(0).toString()), traced.err);
        }
        assertEquals(2, cdsFiles().size(), "no third file");
    }

    /** Which methods are hot is the code's knowledge (JvmProfile), not the launcher's. */
    @Test
    void theLauncherNamesNoJavaMethod() throws Exception {
        String script = Files.readString(Paths.get("bin", "focal"));
        assertFalse(Pattern.compile("dev\\.focal\\.[\\w.$]+::").matcher(script).find(), "a method named in bin/focal");
        assertTrue(script.contains("@\"$args\"") && script.contains("args=$root/target/jvm/$profile.args"),
                "bin/focal runs java with a profile's argument file");
    }

    /**
     * Every path the launcher hands java must survive a space. (JDK 17 then maps the archive's
     * JDK classes but loads focal's from the jar: it is still made, and the runs still work.)
     */
    @Tag("process")
    @Test
    void aProjectWhosePathHoldsASpaceRuns() throws Exception {
        layOutAProjectIn("focal project");
        for (String run : List.of("records the class-data file", "maps it")) {
            ChildJvm.Result r = focal("", "eval", "samples/tiny.json");
            assertEquals(0, r.code, run + ": " + r);
            assertEquals("", r.err, run);
            assertTrue(r.out.startsWith("focal loss  gamma=2  alpha=0.25  shape=(1, 4, 3)"), run + ": " + r.out);
            assertEquals(1, cdsFiles().size(), run + ": " + cdsFiles());
        }
    }

    /**
     * Under C or POSIX, or with no locale set (many CI containers), the JVM would decode arguments
     * and file names as ASCII: the launcher starts it under C.UTF-8. (FileNamesTest starts the
     * JVM straight under C.)
     */
    @Tag("process")
    @Test
    void namesAndTextStayUtf8WhenTheLocaleIsNot() throws Exception {
        assumeUtf8FileNames();
        Path dir = Files.createDirectories(temp.resolve("données"));
        Path in = Files.copy(Paths.get("samples", "tiny.json"), dir.resolve("café.json"));
        Path out = dir.resolve("perte é.npy");
        Path stats = dir.resolve("stats é.json");
        for (String locale : List.of("LC_ALL=C", "LC_ALL=POSIX", "LANG= LC_ALL= LC_CTYPE=")) {
            ChildJvm.Result r = focal("FOCAL_CDS=0 " + locale, "eval", in.toString(),
                    "--class-names", "Café,Bus,Tram", "--out", out.toString(), "--stats", stats.toString());
            assertEquals(0, r.code, locale + ": " + r);
            assertEquals("", r.err, locale);
            assertTrue(r.out.contains("\nCafé           1  9.974519e-05   1.76%\n"), locale + ": " + r.out);
            // The name's bytes, UTF-8: a golden written here matches one written in a UTF-8 shell.
            String bytes = new String(Files.readAllBytes(stats), StandardCharsets.ISO_8859_1);
            assertTrue(bytes.contains("\"name\" : \"Caf\u00c3\u00a9\""), locale + ": " + bytes);
            assertTrue(bytes.contains(in.toString().replace("é", "\u00c3\u00a9")), locale + ": " + bytes);
            assertEquals(List.of("café.json", "perte é.npy", "stats é.json"), names(dir), locale);
            Files.delete(out);
            Files.delete(stats);
        }
    }

    /**
     * Bytes that are not UTF-8 cannot name a file to a JVM decoding UTF-8 (Java cannot even pass
     * them as an argument: a shell does). Each such name is refused with one line, never exit 70.
     */
    @Tag("process")
    @Test
    void aNameThatIsNotUtf8IsRefusedWithOneLine() throws Exception {
        assumeUtf8FileNames();
        Path dir = Files.createDirectories(temp.resolve("work"));
        Files.copy(Paths.get("samples", "tiny.json"), dir.resolve("tiny.json"));
        String script = "cd \"$2\" || exit 99\n"
                + "bad=$(printf 'caf\\351.json'); printf '[1, 2]' > \"$bad\"\n"
                + "\"$1\" inspect \"$bad\"; echo \"inspect=$?\"\n"
                + "\"$1\" eval \"$bad\"; echo \"eval=$?\"\n"
                + "\"$1\" convert \"$bad\" out.npy; echo \"convert=$?\"\n"
                + "\"$1\" convert tiny.json:logits \"$(printf 'out\\351.npy')\"; echo \"convert out=$?\"\n"
                + "\"$1\" eval tiny.json --stats \"$(printf 'stats\\377.json')\"; echo \"stats=$?\"\n";
        ChildJvm.Result r = ChildJvm.exec(List.of("env",
                "JAVA_HOME=" + System.getProperty("java.home"), "LC_ALL=C", "FOCAL_CDS=0", "sh", "-c", script, "sh",
                root.resolve("bin").resolve("focal").toString(), dir.toString()));
        assertEquals("inspect=3\neval=3\nconvert=3\nconvert out=2\nstats=2\n", r.out, r.toString());
        String notUtf8 = "file name is not valid UTF-8 (focal reads file names as UTF-8)";
        assertEquals(List.of("focal: caf\uFFFD.json: " + notUtf8, "focal: caf\uFFFD.json: " + notUtf8,
                "focal: caf\uFFFD.json: " + notUtf8,
                "focal: Invalid value for positional parameter at index 1 (OUT): out\uFFFD.npy: " + notUtf8
                        + " (see 'focal convert --help')",
                "focal: Invalid value for option '--stats': stats\uFFFD.json: " + notUtf8 + " (see 'focal eval --help')"),
                r.err.lines().collect(Collectors.toList()));
        assertEquals(List.of("caf\uFFFD.json", "tiny.json"), names(dir), "nothing was written");
    }

    private static void assumeUtf8FileNames() {
        Assumptions.assumeTrue("UTF-8".equals(System.getProperty("sun.jnu.encoding")), "the test names files"
                + " with an é, which a JVM in a locale that is not UTF-8 cannot (sun.jnu.encoding="
                + System.getProperty("sun.jnu.encoding") + ")");
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    /** A training that fails (here: no samples to train on) costs one run, not every run, until the jar changes. */
    @Tag("process")
    @Test
    void aFailedClassDataTrainingIsNotRetriedUntilTheJarChanges() throws Exception {
        deleteTree(root.resolve("samples"));
        ChildJvm.Result first = focal("", "--version");
        assertEquals(0, first.code, first.toString());
        assertEquals(List.of(), cdsFiles());
        List<Path> marks = targetFiles("focal-.+\\.failed");
        assertEquals(1, marks.size(), marks.toString());
        Path failed = marks.get(0);
        FileTime marked = FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 10_000);
        Files.setLastModifiedTime(failed, marked);
        ChildJvm.Result second = focal("", "--version");
        assertEquals(0, second.code, second.toString());
        assertEquals(marked, Files.getLastModifiedTime(failed), "not tried again: the mark is untouched");

        Files.setLastModifiedTime(jar, FileTime.fromMillis(marked.toMillis() + 60_000));
        ChildJvm.Result rebuilt = focal("", "--version");
        assertEquals(0, rebuilt.code, rebuilt.toString());
        assertNotEquals(marked, Files.getLastModifiedTime(failed), "a new jar is tried again: the mark is made anew");
    }

    /** A build lock whose owner is gone (a killed build) is taken over at once, not waited on for 10 minutes. */
    @Tag("process")
    @Test
    void aBuildLockLeftByAKilledBuildIsTakenOver() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path lock = Files.createDirectories(root.resolve("target/.focal-build.lock"));
        Files.writeString(lock.resolve("pid"), gone.pid() + "\n");
        Files.delete(jar);
        ChildJvm.Result r = focal("FOCAL_CDS=0", "--version");
        // This layout has no pom.xml, so the build it then starts fails: what matters is that it started.
        assertEquals(70, r.code, r.toString());
        assertTrue(r.err.startsWith("focal: taking over " + lock + ", left by a build that is gone (pid " + gone.pid()
                + ")\nfocal: building " + jar), r.err);
        // Waiting instead would end after 10 minutes with "another build holds", not this message.
        assertFalse(Files.exists(lock), "the lock is released after the build");
    }

    /**
     * The profile follows the input's size (docs/internals.md#jit-options): a file by its own
     * size, a folder that eval reads dump by dump by its files' total, since the one run lasts as
     * long as all of them.
     */
    @Tag("process")
    @Test
    void theProfileFollowsTheLargestFileOrTheFolderOfDumpsAsAWhole() throws Exception {
        Path folder = Files.createDirectories(temp.resolve("dumps"));
        byte[] mebibytes = new byte[17 << 20];
        Arrays.fill(mebibytes, (byte) 1);  // real blocks: du counts what the disk holds
        Files.write(folder.resolve("a.npz"), mebibytes);
        assertEquals("small", traced("eval", folder.toString()), "17 MiB in all");
        Files.write(folder.resolve("b.npz"), mebibytes);
        assertEquals("eval", traced("eval", folder.toString()), "34 MiB in all, no file over 32 MiB");
        assertEquals("eval", traced("eval", "--quiet", folder + "/"), "the folder after an option");
        assertEquals("small", traced("inspect", folder.resolve("a.npz").toString()), "a file is sized alone");
        Path big = temp.resolve("big.npy");
        try (var f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(33L << 20);
        }
        assertEquals("eval", traced("eval", "--logits", big.toString()), "one file of 33 MiB");
        assertEquals("eval", traced("eval", "--logits=" + big), "one file of 33 MiB, --opt=FILE");
        assertEquals("small", traced("eval", "samples/tiny.json"));
    }

    /** The profile whose argument file the launcher's java command line reads. */
    private String traced(String... args) throws Exception {
        String line = focal("FOCAL_CDS=0 FOCAL_TRACE=1", args).err.lines().findFirst().orElse("");
        Matcher m = Pattern.compile(" @\\S*/target/jvm/(\\w+)\\.args ").matcher(line);
        assertTrue(m.find(), line);
        return m.group(1);
    }

    @Tag("process")
    @Test
    void traceShowsTheJavaCommandLine() throws Exception {
        ChildJvm.Result r = focal("FOCAL_CDS=0 FOCAL_TRACE=1", "--version");
        assertEquals(0, r.code, r.toString());
        assertEquals(version(), r.out);
        assertTrue(r.err.startsWith("focal: " + System.getProperty("java.home") + "/bin/java "), r.err);
        assertTrue(r.err.endsWith(" -jar " + jar + " --version\n"), r.err);
        assertEquals(1, r.err.lines().count(), r.err);
    }

    @Tag("process")
    @Test
    void withoutClassDataSharingNothingIsRecorded() throws Exception {
        ChildJvm.Result r = focal("FOCAL_CDS=0", "--version");
        assertEquals(0, r.code, r.toString());
        assertEquals(version(), r.out);
        assertEquals(List.of(), cdsFiles());
    }

    @Tag("process")
    @Test
    void theVectorModulesNoticeIsFilteredAndTheExitCodePassedOn() throws Exception {
        ChildJvm.Result r = focal("FOCAL_CDS=0 FOCAL_VECTOR=1", "eval", "--xyzzy");
        assertEquals(2, r.code, r.toString());
        assertEquals("", r.out);
        assertEquals("focal: Unknown option: '--xyzzy' (see 'focal eval --help')\n", r.err);

        ChildJvm.Result ok = focal("FOCAL_CDS=0 FOCAL_VECTOR=1", "eval", "samples/tiny.json");
        assertEquals(0, ok.code, ok.toString());
        assertEquals("", ok.err);
        assertTrue(ok.out.startsWith("focal loss  gamma=2  alpha=0.25  shape=(1, 4, 3)"), ok.out);
    }

    /**
     * On the path that filters the vector module's notice, java runs under the shell rather than
     * in its place: a TERM or INT sent to the launcher (a CI timeout, a kill) reaches java, which
     * stops, and the launcher reports the signal's exit code. Here java waits in open() on a FIFO
     * that nobody writes, so that it is still running when the signal comes.
     */
    @Tag("process")
    @Test
    void aSignalToTheLauncherStopsJavaOnTheFilteredPath() throws Exception {
        for (String signal : List.of("TERM", "INT")) {
            Path fifo = temp.resolve("never-written-" + signal + ".npy");
            assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
            Process launcher = new ProcessBuilder("env", "JAVA_HOME=" + System.getProperty("java.home"), "FOCAL_CDS=0",
                    "FOCAL_VECTOR=1", root.resolve("bin").resolve("focal").toString(), "eval", "--logits",
                    fifo.toString(), "--targets", fifo.toString()).redirectErrorStream(true).start();
            ProcessHandle child = awaitChild(launcher, fifo.toString());
            assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(launcher.pid())).start().waitFor());
            assertTrue(launcher.waitFor(30, TimeUnit.SECONDS), signal + ": the launcher ended");
            assertEquals(signal.equals("TERM") ? 143 : 130, launcher.exitValue(), signal);
            assertTrue(child.onExit().completeOnTimeout(null, 30, TimeUnit.SECONDS).get() != null,
                    signal + ": java stopped too");
        }
    }

    /** The java process the launcher started with {@code marker} on its command line, once it runs. */
    private static ProcessHandle awaitChild(Process launcher, String marker) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            Optional<ProcessHandle> child = launcher.descendants()
                    .filter(p -> p.info().commandLine().orElse("").contains(marker)
                            && p.info().command().orElse("").endsWith("/java"))
                    .findFirst();
            if (child.isPresent()) {
                return child.get();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no java child with " + marker);
    }
}
