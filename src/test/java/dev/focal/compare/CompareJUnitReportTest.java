package dev.focal.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.focal.FocalException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.xml.sax.SAXException;

class CompareJUnitReportTest {
    static final Path XSD = Path.of("src/test/resources/compare/junit.xsd");

    @TempDir
    Path tmp;

    /** Validates against the hand-written Ant/Jenkins-shaped schema and returns the parsed document. */
    static Document validated(Path file) throws Exception {
        SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI).newSchema(XSD.toFile()).newValidator()
                .validate(new StreamSource(file.toFile()));
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
    }

    @Test
    void severalChecksInOneSuite() throws Exception {
        Path f = tmp.resolve("report.xml");
        JUnitReport.write(f, "focal eval", List.of(
                new JUnitReport.Case("loss", "focal.eval", true, null, "all 12 elements within", 0.25),
                new JUnitReport.Case("grad", "focal.eval", false, "3 of 12 differ", "details\nline 2", 0.5),
                new JUnitReport.Case("sum", "focal.eval", false, "sum differs", "", 0)));
        Document doc = validated(f);
        Element suites = doc.getDocumentElement();
        assertEquals("testsuites", suites.getTagName());
        Element suite = (Element) suites.getElementsByTagName("testsuite").item(0);
        assertEquals("focal eval", suite.getAttribute("name"));
        assertEquals("3", suite.getAttribute("tests"));
        assertEquals("2", suite.getAttribute("failures"));
        assertEquals("0", suite.getAttribute("errors"));
        assertEquals("0.750", suite.getAttribute("time"));
        assertEquals(3, suite.getElementsByTagName("testcase").getLength());
        assertEquals(2, suite.getElementsByTagName("failure").getLength());
        Element grad = (Element) suite.getElementsByTagName("testcase").item(1);
        Element failure = (Element) grad.getElementsByTagName("failure").item(0);
        assertEquals("3 of 12 differ", failure.getAttribute("message"));
        assertEquals("details\nline 2", failure.getTextContent());
        Element loss = (Element) suite.getElementsByTagName("testcase").item(0);
        assertEquals("all 12 elements within", loss.getElementsByTagName("system-out").item(0).getTextContent());
    }

    @Test
    void namesWithMarkupAndControlCharactersStayWellFormed() throws Exception {
        Path f = tmp.resolve("escape.xml");
        String name = "a<b>&\"c'.npy:key ]]> \u0001 \uD800 \uD83D\uDE00";
        JUnitReport.write(f, "suite <&\">", List.of(
                new JUnitReport.Case(name + " vs x", "focal.compare", false, "line one\nline two <&>", name, 0)));
        Document doc = validated(f);
        Element testcase = (Element) doc.getElementsByTagName("testcase").item(0);
        assertEquals("a<b>&\"c'.npy:key ]]> \uFFFD \uFFFD \uD83D\uDE00 vs x", testcase.getAttribute("name"));
        Element failure = (Element) testcase.getElementsByTagName("failure").item(0);
        assertEquals("line one line two <&>", failure.getAttribute("message"));
        assertTrue(failure.getTextContent().startsWith("a<b>&\"c'.npy:key ]]>"));
        assertEquals("suite <&\">", ((Element) doc.getElementsByTagName("testsuite").item(0)).getAttribute("name"));
    }

    @Test
    void schemaRejectsWhatCiWouldNot() throws Exception {
        Path f = tmp.resolve("bad.xml");
        Files.writeString(f, "<testsuites><testsuite name=\"s\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\""
                + " time=\"1,5\"><testcase name=\"t\" classname=\"c\" time=\"0\"/></testsuite></testsuites>");
        assertThrows(SAXException.class, () -> validated(f), "a decimal comma is not a time");
        Files.writeString(f, "<testsuites><testsuite name=\"s\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\""
                + " time=\"0\"><testcase name=\"t\" time=\"0\"/></testsuite></testsuites>");
        assertThrows(SAXException.class, () -> validated(f), "classname is required");
    }

    @Test
    void unwritableTargetIsAnOutputError() throws IOException {
        // A missing folder is created; a file where the folder should be is an output error.
        JUnitReport.write(tmp.resolve("new/folder/x.xml"), "s", List.of());
        assertTrue(Files.isRegularFile(tmp.resolve("new/folder/x.xml")));
        Path file = Files.writeString(tmp.resolve("file"), "");
        FocalException e = assertThrows(FocalException.class, () -> JUnitReport.write(file.resolve("x.xml"), "s",
                List.of()));
        assertEquals(FocalException.OUTPUT, e.exitCode());
    }

    /** The whole document, byte for byte: the layout CI parsers and people diffing two reports see. */
    @Test
    void documentLayoutIsFixed() throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        JUnitReport.write(out, "s", List.of(
                new JUnitReport.Case("a", "c", true, null, "ok", 0.25),
                new JUnitReport.Case("b", "c", true, null, "", 0),
                new JUnitReport.Case("n", "c", true, null, null, 0),
                new JUnitReport.Case("f", "c", false, "x\ny", "x\ny", 1),
                JUnitReport.Case.error("e", "c", "gone")));
        assertEquals("""
                <?xml version="1.0" encoding="UTF-8"?>
                <testsuites name="s" tests="5" failures="1" errors="1" time="1.250">
                  <testsuite name="s" tests="5" failures="1" errors="1" time="1.250" skipped="0">
                    <testcase name="a" classname="c" time="0.250"><system-out>ok</system-out></testcase>
                    <testcase name="b" classname="c" time="0.000"></testcase>
                    <testcase name="n" classname="c" time="0.000"></testcase>
                    <testcase name="f" classname="c" time="1.000"><failure message="x y" type="CheckFailed">x
                y</failure></testcase>
                    <testcase name="e" classname="c" time="0.000"><error message="gone" type="RunFailed">gone</error></testcase>
                  </testsuite>
                </testsuites>
                """, out.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void aNegativeDurationIsWrittenAsZero() throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        JUnitReport.write(out, "s", List.of(new JUnitReport.Case("a", "c", true, null, null, -0.5)));
        assertTrue(out.toString(java.nio.charset.StandardCharsets.UTF_8)
                .contains("<testcase name=\"a\" classname=\"c\" time=\"0.000\">"));
    }

    /** XML 1.0's Char production: tab, LF, CR, U+0020..U+D7FF, U+E000..U+FFFD and surrogate pairs. */
    @Test
    void textKeepsExactlyWhatXmlCanCarry() {
        assertEquals("\t\n\r \uD7FF\uE000\uFFFD\uD83D\uDE00", JUnitReport.text("\t\n\r \uD7FF\uE000\uFFFD\uD83D\uDE00"));
        assertEquals("\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD", JUnitReport.text("\u0000\u001F\uDFFF\uD800\uFFFE"));
        // A high surrogate last, or before anything but a low one, is alone.
        assertEquals("a\uFFFD", JUnitReport.text("a\uD83D"));
        assertEquals("\uFFFDb", JUnitReport.text("\uD83Db"));
        assertEquals("\uFFFD\uFFFD", JUnitReport.text("\uDE00\uD83D"));
        assertEquals("", JUnitReport.text(null));
    }
}
