package dev.focal.cli;

import java.io.File;
import java.io.IOException;
import java.util.Map;
import org.asciidoctor.Asciidoctor;
import org.asciidoctor.Options;
import org.asciidoctor.SafeMode;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Makes focal's man pages from the command model: picocli-codegen's generator writes their
 * AsciiDoc (man-adoc/focal.adoc, focal-eval.adoc, ...), and asciidoctor turns them into troff
 * (man/focal.1, focal-eval.1, ...). Neither library goes into focal's jar: the build runs this
 * with the test classpath once the tests are compiled (see pom.xml), so that the tests can read
 * the pages. It runs in a JVM of its own, with flags that Maven's JVM (where asciidoctor-maven-plugin
 * would run it) does not have: asciidoctor runs on JRuby, whose start-up took 12 CPU-seconds here
 * with the JVM's defaults, and 5 with the quick JIT compiler only, JRuby's interpreter only
 * (jruby.compile.mode=OFF) and the serial collector.
 * Arguments: the build's output folder (target), and the version the pages name.
 */
public final class ManPages {
    private ManPages() {
    }

    public static void main(String[] args) throws IOException {
        File target = new File(args[0]);
        File sources = new File(target, "man-adoc");
        CommandSpec focal = Main.commandLine(null, Settings.from(Map.of())).getCommandSpec();
        prepare(focal, "focal " + args[1]);
        int code = ManPageGenerator.generateManPage(sources, null, new boolean[0], true, focal);
        if (code != CommandLine.ExitCode.OK) {
            throw new IllegalStateException("picocli's man page generator exited " + code);
        }
        Options troff = Options.builder().backend("manpage").safe(SafeMode.UNSAFE).toDir(new File(target, "man"))
                .mkDirs(true).build();
        try (Asciidoctor asciidoctor = Asciidoctor.Factory.create()) {
            for (File page : sources.listFiles((dir, name) -> name.endsWith(".adoc"))) {
                asciidoctor.convertFile(page, troff);
            }
        }
    }

    /**
     * The version the build names, not the jar manifest's (there is no jar yet); and the footers'
     * headings without the colon that --help writes, which a man page's section title has not.
     */
    private static void prepare(CommandSpec spec, String version) {
        spec.versionProvider(null).version(version);
        spec.usageMessage().footerHeading(spec.usageMessage().footerHeading().replace(":", ""));
        for (CommandLine sub : spec.subcommands().values()) {
            prepare(sub.getCommandSpec(), version);
        }
    }
}
