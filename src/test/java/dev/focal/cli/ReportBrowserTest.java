package dev.focal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report of the bundled KITTI-sized anchor head (samples/kitti_head.npz) as a person sees it: headless Chromium lays it
 * out and takes a screenshot, and every figure must be there, laid out with a size, and drawn
 * (its part of the screenshot not one flat colour); so must the trend of many dumps and the
 * heatmap of a sweep, on their own pages, and a heatmap loss's report in dark and light mode.
 * Skipped, saying so, where no Chromium is installed (.ci/run installs it when apt is there). The
 * anchor head's report is made by README's command, run as a user would, in a directory of its
 * own that holds the sample, so that its summary shows that command and no test's path. With
 * -Dfocal.updateScreenshot=true it also writes the README's screenshot, docs/images/report.png.
 */
@Tag("process")
class ReportBrowserTest {
    private static final List<String> FIGURES = List.of("summary", "loss-share", "loss-histogram", "focal-curve",
            "per-class", "per-sample", "bev-loss", "bev-positives", "top");
    private static final int WIDTH = 900;
    /** README's command (its "Look at it"), after {@code bin/focal}. */
    static final List<String> README_COMMAND = List.of("eval", "samples/kitti_head.npz", "--num-classes", "3",
            "--class-names", "Car,Pedestrian,Cyclist", "--report", "report.html");

    @TempDir
    Path dir;

    private static Optional<String> chromium() {
        for (String name : List.of("chromium", "chromium-headless-shell", "chromium-browser")) {
            for (String p : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
                if (!p.isEmpty() && Files.isExecutable(Path.of(p, name))) {
                    return Optional.of(Path.of(p, name).toString());
                }
            }
        }
        return Optional.empty();
    }

    private String browser(String chromium, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--hide-scrollbars", "--force-device-scale-factor=1", "--user-data-dir=" + dir.resolve("profile")));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("browser.out");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(dir.resolve("browser.err")
                .toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish in 120 s");
        assertEquals(0, p.exitValue(), () -> "chromium failed: " + read(dir.resolve("browser.err")));
        return read(out);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String chromiumOrSkip() {
        Optional<String> chromium = chromium();
        Assumptions.assumeTrue(chromium.isPresent(),
                "ReportBrowserTest skipped: no chromium or chromium-headless-shell on PATH (apt-get install chromium)");
        return chromium.get();
    }

    @Test
    void everyFigureIsLaidOutAndDrawn() throws Exception {
        String chromium = chromiumOrSkip();
        Path work = Files.createDirectories(dir.resolve("work"));
        // A copy, not a link: JUnit warns when it deletes a link out of its temporary directory.
        Files.copy(Path.of("samples/kitti_head.npz"), Files.createDirectories(work.resolve("samples"))
                .resolve("kitti_head.npz"));
        ChildJvm.Result r = ChildJvm.run(List.of("sh", "-c", "cd \"$0\" && exec \"$@\"", work.toString()), List.of(),
                README_COMMAND.toArray(String[]::new));
        assertEquals(0, r.code, r::toString);
        Path html = work.resolve("report.html");
        assertTrue(Files.readString(html).contains("<code>focal " + String.join(" ", README_COMMAND) + "</code>"),
                "the summary shows README's command");
        Path shot = assertLaidOutAndDrawn(chromium, html, FIGURES);
        if (Boolean.getBoolean("focal.updateScreenshot")) {
            Files.createDirectories(Path.of("docs/images"));
            Files.copy(shot, Path.of("docs/images/report.png"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The reports of many dumps (a failed one among them) and of a sweep (docs/commands.md#the-report). */
    @Test
    void trendAndSweepAreLaidOutAndDrawn() throws Exception {
        String chromium = chromiumOrSkip();
        Path trend = dir.resolve("trend.html");
        Cli dumps = Cli.run("eval", ManyDumpsTest.RUN.toString(), ManyDumpsTest.DUMPS.resolve("broken.npz").toString(),
                "--report", trend.toString(), "--quiet");
        assertEquals(3, dumps.code, dumps::toString);
        assertLaidOutAndDrawn(chromium, trend, List.of("summary", "trend"));
        Path sweep = dir.resolve("sweep.html");
        Cli pairs = Cli.run("eval", ManyDumpsTest.RUN.resolve("iter_1.npz").toString(), "--gamma", SweepTest.GAMMAS,
                "--alpha", SweepTest.ALPHAS, "--report", sweep.toString(), "--quiet");
        assertEquals(0, pairs.code, pairs::toString);
        assertLaidOutAndDrawn(chromium, sweep, List.of("summary", "sweep", "focal-curve"));
    }

    /**
     * Lays {@code html} out in the browser and takes its screenshot: the figures are {@code
     * figures}, in order, each visible, of a size, on the screenshot and not blank there.
     * Returns the screenshot.
     */
    private Path assertLaidOutAndDrawn(String chromium, Path html, List<String> figures) throws Exception {
        String name = html.getFileName().toString().replace(".html", "");
        Layout layout = layout(chromium, html);
        Map<String, int[]> boxes = layout.figures;
        int page = layout.height;
        assertEquals(figures, List.copyOf(boxes.keySet()));

        Path shot = dir.resolve(name + ".png");
        browser(chromium, "--window-size=" + WIDTH + "," + page, "--screenshot=" + shot, html.toUri().toString());
        BufferedImage image = ImageIO.read(shot.toFile());
        assertEquals(WIDTH, image.getWidth());
        for (Map.Entry<String, int[]> e : boxes.entrySet()) {
            int[] b = e.getValue();
            assertTrue(b[2] > 200 && b[3] > 50, e.getKey() + " is laid out " + b[2] + " x " + b[3] + " px");
            assertTrue(b[1] + b[3] <= image.getHeight(), e.getKey() + " is below the screenshot");
            assertTrue(colours(image, b) > 20, e.getKey() + " looks blank in the screenshot");
        }
        return shot;
    }

    /** The figures' boxes, their shown images' (keyed "img:" and the figure's id), and the page's height. */
    private record Layout(Map<String, int[]> figures, Map<String, int[]> images, int height) {
    }

    /**
     * The boxes as the browser lays them out, {@code flags} given to it: a copy of the page with
     * a script that writes them into the DOM, which --dump-dom prints (the report itself has none).
     */
    private Layout layout(String chromium, Path html, String... flags) throws IOException, InterruptedException {
        Path probe = dir.resolve(html.getFileName().toString().replace(".html", "") + "-probe.html");
        Files.writeString(probe, Files.readString(html).replace("</body>", "<pre id=\"boxes\"></pre><script>"
                + "let s='';const box=(k,e)=>{const b=e.getBoundingClientRect();const st=getComputedStyle(e);"
                + "s+=k+' '+Math.round(b.left)+' '+Math.round(b.top+scrollY)+' '+Math.round(b.width)+' '"
                + "+Math.round(b.height)+' '+st.visibility+' '+st.display+'\\n';};"
                + "for(const f of document.querySelectorAll('figure')){box(f.id,f);"
                + "for(const i of f.querySelectorAll('img')){if(getComputedStyle(i).display!=='none'){box('img:'+f.id,i);}}}"
                + "s+='page '+document.documentElement.scrollHeight;"
                + "document.getElementById('boxes').textContent=s;</script></body>"));
        List<String> args = new ArrayList<>(List.of(flags));
        args.addAll(List.of("--window-size=" + WIDTH + ",1000", "--dump-dom", probe.toUri().toString()));
        String dom = browser(chromium, args.toArray(String[]::new));
        Matcher m = Pattern.compile("<pre id=\"boxes\">(.*?)</pre>", Pattern.DOTALL).matcher(dom);
        assertTrue(m.find(), "no layout in the browser's DOM:\n" + dom);
        Map<String, int[]> figures = new LinkedHashMap<>();
        Map<String, int[]> images = new LinkedHashMap<>();
        int page = 0;
        for (String line : m.group(1).split("\n")) {
            String[] f = line.trim().split(" ");
            if (f[0].equals("page")) {
                page = Integer.parseInt(f[1]);
                continue;
            }
            assertEquals("visible", f[5], f[0]);
            assertTrue(!f[6].equals("none"), f[0] + " not displayed");
            (f[0].startsWith("img:") ? images : figures).put(f[0], new int[] {Integer.parseInt(f[1]),
                Integer.parseInt(f[2]), Integer.parseInt(f[3]), Integer.parseInt(f[4])});
        }
        return new Layout(figures, images, page);
    }

    /**
     * A heatmap loss's report, as a reader in dark mode and in light mode sees it: every figure
     * is there, and the heatmaps are the drawing for the mode (on the page's dark background in
     * dark mode, not a white block; on white in light mode), not the charts' inversion.
     */
    @Test
    void heatmapReportInDarkAndLightMode() throws Exception {
        String chromium = chromiumOrSkip();
        Path c = Path.of("src/test/resources/heatmap/centerhead_cls1");
        Path html = dir.resolve("heatmap.html");
        Cli r = Cli.run("eval", "--logits", c.resolve("logits.npy").toString(), "--targets",
                c.resolve("targets.npy").toString(), "--loss", "centernet", "--class-axis", "1", "--report",
                html.toString(), "--quiet");
        assertEquals(0, r.code, r::toString);
        for (boolean dark : new boolean[] {true, false}) {
            String[] mode = dark ? new String[] {"--force-dark-mode"} : new String[0];
            Layout layout = layout(chromium, html, mode);
            assertEquals(FIGURES, List.copyOf(layout.figures.keySet()));
            assertEquals(List.of("img:bev-loss", "img:bev-positives"), List.copyOf(layout.images.keySet()));
            Path shot = dir.resolve(dark ? "dark.png" : "light.png");
            List<String> args = new ArrayList<>(List.of(mode));
            args.addAll(List.of("--window-size=" + WIDTH + "," + layout.height, "--screenshot=" + shot,
                    html.toUri().toString()));
            browser(chromium, args.toArray(String[]::new));
            BufferedImage image = ImageIO.read(shot.toFile());
            for (Map.Entry<String, int[]> e : layout.images.entrySet()) {
                double white = whiteShare(image, e.getValue());
                assertTrue(dark ? white < 0.02 : white > 0.3, e.getKey() + " in " + (dark ? "dark" : "light")
                        + " mode is " + Math.round(100 * white) + "% white");
                assertTrue(colours(image, e.getValue()) > 20, e.getKey() + " looks blank");
            }
        }
    }

    /**
     * The sweep's heatmap as a reader in dark mode and in light mode sees it: the cells of the
     * smallest and the largest value keep viridis's two ends (#440154, #fde725) in both modes,
     * where the charts' inversion would turn them into other colours, and the figure stands on
     * the page's dark background in dark mode.
     */
    @Test
    void sweepKeepsItsColourScaleInDarkMode() throws Exception {
        String chromium = chromiumOrSkip();
        Path html = dir.resolve("sweep-modes.html");
        Cli r = Cli.run("eval", ManyDumpsTest.RUN.resolve("iter_1.npz").toString(), "--gamma", SweepTest.GAMMAS,
                "--alpha", SweepTest.ALPHAS, "--report", html.toString(), "--quiet");
        assertEquals(0, r.code, r::toString);
        for (boolean dark : new boolean[] {true, false}) {
            String[] mode = dark ? new String[] {"--force-dark-mode"} : new String[0];
            Layout layout = layout(chromium, html, mode);
            Path shot = dir.resolve(dark ? "sweep-dark.png" : "sweep-light.png");
            List<String> args = new ArrayList<>(List.of(mode));
            args.addAll(List.of("--window-size=" + WIDTH + "," + layout.height, "--screenshot=" + shot,
                    html.toUri().toString()));
            browser(chromium, args.toArray(String[]::new));
            BufferedImage image = ImageIO.read(shot.toFile());
            int[] box = layout.figures.get("sweep");
            String where = "the sweep in " + (dark ? "dark" : "light") + " mode";
            for (int end : new int[] {0x440154, 0xfde725}) {
                assertTrue(pixels(image, box, end) > 400, where + " has " + pixels(image, box, end)
                        + " pixels of viridis's #" + Integer.toHexString(end));
            }
            double white = whiteShare(image, box);
            assertTrue(dark ? white < 0.02 : white > 0.3, where + " is " + Math.round(100 * white) + "% white");
        }
    }

    /** The pixels of a box of the screenshot whose colour is {@code rgb}. */
    private static int pixels(BufferedImage image, int[] box, int rgb) {
        int n = 0;
        for (int y = box[1]; y < Math.min(image.getHeight(), box[1] + box[3]); y++) {
            for (int x = box[0]; x < Math.min(image.getWidth(), box[0] + box[2]); x++) {
                n += (image.getRGB(x, y) & 0xFFFFFF) == rgb ? 1 : 0;
            }
        }
        return n;
    }

    /** The share of a box's pixels that are near white. */
    private static double whiteShare(BufferedImage image, int[] box) {
        long white = 0;
        long all = 0;
        for (int y = box[1]; y < Math.min(image.getHeight(), box[1] + box[3]); y += 2) {
            for (int x = box[0]; x < Math.min(image.getWidth(), box[0] + box[2]); x += 2) {
                int rgb = image.getRGB(x, y);
                white += (rgb >> 16 & 0xFF) > 230 && (rgb >> 8 & 0xFF) > 230 && (rgb & 0xFF) > 230 ? 1 : 0;
                all++;
            }
        }
        return (double) white / all;
    }

    /** Distinct colours in a box of the screenshot: text and charts have many, a blank box one. */
    private static int colours(BufferedImage image, int[] box) {
        Set<Integer> seen = new HashSet<>();
        for (int y = box[1]; y < Math.min(image.getHeight(), box[1] + box[3]); y += 2) {
            for (int x = box[0]; x < Math.min(image.getWidth(), box[0] + box[2]); x += 2) {
                seen.add(image.getRGB(x, y));
            }
        }
        return seen.size();
    }
}
