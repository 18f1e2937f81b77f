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
 * heatmap of a sweep, on their own pages. Skipped, saying so, where no Chromium is
 * installed (.ci/run installs it when apt is there). With -Dfocal.updateScreenshot=true it also
 * writes the README's screenshot, docs/images/report.png.
 */
@Tag("process")
class ReportBrowserTest {
    private static final List<String> FIGURES = List.of("summary", "loss-share", "loss-histogram", "focal-curve",
            "per-class", "per-sample", "bev-loss", "bev-positives", "top");
    private static final int WIDTH = 900;

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
        Path html = dir.resolve("report.html");
        Cli r = Cli.run("eval", "samples/kitti_head.npz", "--num-classes", "3", "--class-names",
                "Car,Pedestrian,Cyclist", "--top", "5", "--report", html.toString(), "--quiet");
        assertEquals(0, r.code, r::toString);
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
        // The figures' boxes as the browser lays them out: a copy of the page with a script
        // that writes them into the DOM, which --dump-dom prints (the report itself has none).
        Path probe = dir.resolve(name + "-probe.html");
        Files.writeString(probe, Files.readString(html).replace("</body>", "<pre id=\"boxes\"></pre><script>"
                + "let s='';for(const f of document.querySelectorAll('figure')){const b=f.getBoundingClientRect();"
                + "const st=getComputedStyle(f);s+=f.id+' '+Math.round(b.left)+' '+Math.round(b.top+scrollY)+' '"
                + "+Math.round(b.width)+' '+Math.round(b.height)+' '+st.visibility+' '+st.display+'\\n';}"
                + "s+='page '+document.documentElement.scrollHeight;"
                + "document.getElementById('boxes').textContent=s;</script></body>"));
        String dom = browser(chromium, "--window-size=" + WIDTH + ",1000", "--dump-dom", probe.toUri().toString());
        Matcher m = Pattern.compile("<pre id=\"boxes\">(.*?)</pre>", Pattern.DOTALL).matcher(dom);
        assertTrue(m.find(), "no layout in the browser's DOM:\n" + dom);
        Map<String, int[]> boxes = new LinkedHashMap<>();
        int page = 0;
        for (String line : m.group(1).split("\n")) {
            String[] f = line.trim().split(" ");
            if (f[0].equals("page")) {
                page = Integer.parseInt(f[1]);
                continue;
            }
            assertEquals("visible", f[5], f[0]);
            assertTrue(!f[6].equals("none"), f[0] + " not displayed");
            boxes.put(f[0], new int[] {Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                Integer.parseInt(f[4])});
        }
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
