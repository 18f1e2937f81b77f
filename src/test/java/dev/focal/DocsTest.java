package dev.focal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The project documents its own semantics in docs/ (docs/README.md is the index), and everything
 * else cites docs/: no file under src/, tools/, bench/, docs/ or a top-level Markdown file may
 * cite the maintainers' internal reference notes, which users cannot read, and every
 * {@code docs/<file>.md#<anchor>} cited there must name a file of docs/ and a heading in it, by
 * GitHub's anchor rule (lower case, punctuation other than '-' and '_' dropped, spaces to '-').
 */
class DocsTest {
    static final Path DOCS = Path.of("docs");
    /** Where citations live: these folders, and every top-level .md file. */
    static final List<Path> TREES = List.of(Path.of("src"), Path.of("tools"), Path.of("bench"), DOCS);
    /** Generated or binary content, never a citation. */
    static final Set<String> SKIPPED_DIRS = Set.of("target", "__pycache__", ".git");
    static final Path BENCH_DATA = Path.of("bench", "data");
    static final Set<String> BINARY = Set.of(".npy", ".npz", ".jsa", ".class", ".jar");

    /**
     * A mention of the internal notes: their name in capitals as a word, which covers their file
     * name, "NAME \u00a7N" and "NAME section N". Assembled so that this file does not match itself.
     */
    static final Pattern INTERNAL = Pattern.compile("\\b" + "REFER" + "ENCE" + "\\b");
    /** docs/&lt;file&gt;.md, optionally with #&lt;anchor&gt;, not inside a longer path. */
    static final Pattern CITATION =
            Pattern.compile("(?<![\\w./-])docs/([\\w./-]+?\\.md)(?![\\w])(?:#([\\p{L}\\p{N}_-]+))?");
    /** A relative Markdown link inside docs/: [text](FILE.md#anchor), [text](FILE.md), [text](#anchor). */
    static final Pattern RELATIVE_LINK =
            Pattern.compile("\\]\\((?!https?:|/)([\\w./-]*?\\.md)?(?:#([\\p{L}\\p{N}_-]+))?\\)");

    /** An ATX heading: its text, without a closing run of '#'. */
    static final Pattern HEADING = Pattern.compile("^ {0,3}#{1,6}\\s+(.*?)(\\s+#+)?\\s*$");

    @Test
    void nothingCitesTheInternalReferenceNotes() {
        List<String> hits = new ArrayList<>();
        for (Path f : files()) {
            String[] lines = read(f).split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                if (INTERNAL.matcher(lines[i]).find()) {
                    hits.add(f + ":" + (i + 1) + ": " + lines[i].strip());
                }
            }
        }
        assertTrue(hits.isEmpty(), "cite docs/ (docs/semantics.md#...) instead of the internal notes:\n"
                + String.join("\n", hits));
    }

    @Test
    void everyCitedDocAndAnchorExists() {
        List<String> broken = new ArrayList<>();
        Map<Path, Set<String>> anchors = new HashMap<>();
        int citations = 0;
        for (Path f : files()) {
            String[] lines = read(f).split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                Matcher m = CITATION.matcher(lines[i]);
                while (m.find()) {
                    citations++;
                    check(DOCS.resolve(m.group(1)).normalize(), m.group(2), f, i, m.group(), anchors, broken);
                }
                if (f.startsWith(DOCS)) {
                    Matcher r = RELATIVE_LINK.matcher(lines[i]);
                    while (r.find()) {
                        Path target = r.group(1) == null ? f : f.getParent().resolve(r.group(1)).normalize();
                        if (r.group(1) != null || r.group(2) != null) {
                            citations++;
                            check(target, r.group(2), f, i, r.group(), anchors, broken);
                        }
                    }
                }
            }
        }
        assertTrue(citations > 0, "no citation of docs/ found: is the working directory the project?");
        assertTrue(broken.isEmpty(), "citations of docs/ that lead nowhere:\n" + String.join("\n", broken));
    }

    @Test
    void theIndexListsEveryDoc() throws IOException {
        String index = read(DOCS.resolve("README.md"));
        List<String> missing;
        try (Stream<Path> s = Files.list(DOCS)) {
            missing = s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".md") && !n.equals("README.md"))
                    .filter(n -> !index.contains("(" + n + ")") && !index.contains("(" + n + "#"))
                    .sorted().collect(Collectors.toList());
        }
        assertTrue(missing.isEmpty(), "docs/README.md does not link to " + missing);
    }

    @Test
    void anchorsFollowGitHubsRule() {
        assertEquals(List.of("weight-broadcast", "focal-eval", "labels-to-targets-background-first-or-last",
                        "q--0-and-0--gamma--1", "reductions-sum-mean-batch", "a_b", "reductions-sum-mean-batch-1"),
                List.copyOf(anchors("# Weight broadcast\n## `focal eval`\n```\n# not a heading\n```\n"
                        + "### Labels to targets: background first or last ###\n## q = 0 and 0 < gamma < 1\n"
                        + "## Reductions (sum, mean, batch)\n## A_B\n## Reductions: sum, mean, batch\n")));
    }

    private static void check(Path doc, String anchor, Path from, int line, String cited,
                              Map<Path, Set<String>> anchors, List<String> broken) {
        String where = from + ":" + (line + 1) + ": " + cited;
        if (!Files.isRegularFile(doc)) {
            broken.add(where + " (no file " + doc + ")");
            return;
        }
        if (anchor != null && !anchors.computeIfAbsent(doc, d -> anchors(read(d))).contains(anchor)) {
            broken.add(where + " (no heading of " + doc + " has the anchor #" + anchor + ")");
        }
    }

    /** The anchors GitHub gives the headings of a Markdown text, in order (fenced code skipped). */
    static Set<String> anchors(String markdown) {
        Set<String> out = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        String fence = null;
        for (String line : markdown.split("\n", -1)) {
            String s = line.strip();
            if (fence != null) {
                if (s.startsWith(fence)) {
                    fence = null;
                }
                continue;
            }
            if (s.startsWith("```") || s.startsWith("~~~")) {
                fence = s.substring(0, 3);
                continue;
            }
            Matcher h = HEADING.matcher(line);
            if (!h.matches()) {
                continue;
            }
            String text = h.group(1).replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1");
            String slug = text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
            int n = seen.merge(slug, 1, Integer::sum) - 1;
            out.add(n == 0 ? slug : slug + "-" + n);
        }
        return out;
    }

    /** The text files of the trees and the top-level .md files, in a fixed order. */
    static List<Path> files() {
        List<Path> out = new ArrayList<>();
        try {
            try (Stream<Path> top = Files.list(Path.of("."))) {
                top.map(p -> Path.of(p.getFileName().toString())).filter(p -> p.toString().endsWith(".md"))
                        .sorted().forEach(out::add);
            }
            for (Path tree : TREES) {
                if (!Files.isDirectory(tree)) {
                    continue;
                }
                try (Stream<Path> s = Files.walk(tree)) {
                    s.filter(Files::isRegularFile).filter(DocsTest::wanted).sorted().forEach(out::add);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static boolean wanted(Path p) {
        if (p.startsWith(BENCH_DATA)) {
            return false;
        }
        for (Path part : p) {
            if (SKIPPED_DIRS.contains(part.toString())) {
                return false;
            }
        }
        String name = p.getFileName().toString();
        return BINARY.stream().noneMatch(name::endsWith);
    }

    /** As UTF-8; bytes that are not UTF-8 (a binary fixture) decode to U+FFFD instead of failing. */
    static String read(Path p) {
        try {
            return new String(Files.readAllBytes(p), StandardCharsets.UTF_8).replace("\r\n", "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
