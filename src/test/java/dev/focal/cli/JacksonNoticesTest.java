package dev.focal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * focal's jar carries jackson-core's LICENSE and NOTICE and leaves out those of the other Jackson
 * jars it bundles (the shade filters in pom.xml), which loses nothing only while theirs say
 * nothing that jackson-core's does not. After a Jackson upgrade that changes this, the filters
 * must change, or the jar would drop a notice it owes.
 */
class JacksonNoticesTest {
    private static final Pattern JAR = Pattern.compile("/(jackson-[a-z]+)-[^/]*\\.jar!/");

    @Test
    void jacksonCoresLicenseAndNoticeSayAllTheOtherJacksonJarsDo() throws IOException {
        Map<String, String> license = byJar("META-INF/LICENSE");
        Map<String, String> notice = byJar("META-INF/NOTICE");
        for (String jar : List.of("jackson-databind", "jackson-annotations")) {
            assertEquals(license.get("jackson-core"), license.get(jar), jar + "'s LICENSE");
            assertTrue(notice.get("jackson-core").startsWith(notice.get(jar)), jar + "'s NOTICE:\n" + notice.get(jar));
        }
    }

    /** The text of {@code resource} in each Jackson jar on the class path, by artifact. */
    private static Map<String, String> byJar(String resource) throws IOException {
        Map<String, String> texts = new TreeMap<>();
        for (URL url : Collections.list(JacksonNoticesTest.class.getClassLoader().getResources(resource))) {
            Matcher m = JAR.matcher(url.toString());
            if (m.find()) {
                try (InputStream in = url.openStream()) {
                    texts.put(m.group(1), new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }
        assertEquals(Set.of("jackson-annotations", "jackson-core", "jackson-databind"), texts.keySet(), resource);
        return texts;
    }
}
