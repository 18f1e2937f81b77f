package dev.focal.compare;

import dev.focal.io.AtomicFile;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * A JUnit XML report, the Ant/Surefire format CI systems (Jenkins, GitLab, GitHub actions)
 * display: {@code testsuites/testsuite/testcase}, a {@code failure} for each failed check and an
 * {@code error} for a run that could not check at all (an unreadable input), so that a CI job
 * never uploads an earlier, passing report as this run's.
 */
public final class JUnitReport {
    /** The {@code type} of every failure: a check that did not hold, not a crash. */
    static final String FAILURE_TYPE = "CheckFailed";
    /** The {@code type} of every error: the run stopped before it could check. */
    static final String ERROR_TYPE = "RunFailed";

    /** How a check ended. */
    public enum Outcome { PASSED, FAILED, ERROR }

    /**
     * One check. {@code message} is a one-line summary (a failure's or error's {@code message});
     * {@code details} the full text, shown under the failure or, for a passed check, as its output.
     */
    public record Case(String name, String classname, Outcome outcome, String message, String details,
                       double seconds) {
        public Case(String name, String classname, boolean passed, String message, String details, double seconds) {
            this(name, classname, passed ? Outcome.PASSED : Outcome.FAILED, message, details, seconds);
        }

        /** A run that stopped before its checks, with the one-line message it printed. */
        public static Case error(String name, String classname, String message) {
            return new Case(name, classname, Outcome.ERROR, message, message, 0);
        }

        public boolean passed() {
            return outcome == Outcome.PASSED;
        }
    }

    private JUnitReport() {
    }

    /** Writes the report atomically; exit 4 when it cannot be written. */
    public static void write(Path file, String suiteName, List<Case> cases) {
        AtomicFile.write(file, out -> write(out, suiteName, cases));
    }

    static void write(OutputStream out, String suiteName, List<Case> cases) throws IOException {
        long failures = cases.stream().filter(c -> c.outcome() == Outcome.FAILED).count();
        long errors = cases.stream().filter(c -> c.outcome() == Outcome.ERROR).count();
        double seconds = cases.stream().mapToDouble(Case::seconds).sum();
        try {
            XMLStreamWriter x = XMLOutputFactory.newFactory().createXMLStreamWriter(out, "UTF-8");
            x.writeStartDocument("UTF-8", "1.0");
            x.writeCharacters("\n");
            x.writeStartElement("testsuites");
            counts(x, suiteName, cases.size(), failures, errors, seconds);
            x.writeCharacters("\n  ");
            x.writeStartElement("testsuite");
            counts(x, suiteName, cases.size(), failures, errors, seconds);
            x.writeAttribute("skipped", "0");
            for (Case c : cases) {
                x.writeCharacters("\n    ");
                testcase(x, c);
            }
            x.writeCharacters("\n  ");
            x.writeEndElement();
            x.writeCharacters("\n");
            x.writeEndElement();
            x.writeCharacters("\n");
            x.writeEndDocument();
            x.flush();
            x.close();
        } catch (XMLStreamException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static void counts(XMLStreamWriter x, String name, long tests, long failures, long errors,
            double seconds) throws XMLStreamException {
        x.writeAttribute("name", text(name));
        x.writeAttribute("tests", Long.toString(tests));
        x.writeAttribute("failures", Long.toString(failures));
        x.writeAttribute("errors", Long.toString(errors));
        x.writeAttribute("time", time(seconds));
    }

    private static void testcase(XMLStreamWriter x, Case c) throws XMLStreamException {
        x.writeStartElement("testcase");
        x.writeAttribute("name", text(c.name()));
        x.writeAttribute("classname", text(c.classname()));
        x.writeAttribute("time", time(c.seconds()));
        if (!c.passed()) {
            boolean error = c.outcome() == Outcome.ERROR;
            x.writeStartElement(error ? "error" : "failure");
            // Parsers turn line breaks in attributes into spaces; say so explicitly.
            x.writeAttribute("message", text(c.message()).replaceAll("\\s*[\\r\\n]+\\s*", " "));
            x.writeAttribute("type", error ? ERROR_TYPE : FAILURE_TYPE);
            x.writeCharacters(text(c.details()));
            x.writeEndElement();
        } else if (c.details() != null && !c.details().isEmpty()) {
            x.writeStartElement("system-out");
            x.writeCharacters(text(c.details()));
            x.writeEndElement();
        }
        x.writeEndElement();
    }

    /** Seconds with millisecond resolution and a '.' whatever the locale, as the schemas' decimals require. */
    private static String time(double seconds) {
        return String.format(Locale.ROOT, "%.3f", Math.max(0, seconds));
    }

    /**
     * The text with characters XML 1.0 cannot carry at all (controls, lone surrogates) replaced
     * by U+FFFD; the writer escapes {@code < & > "} itself.
     */
    static String text(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
            if (pair) {
                b.append(c).append(s.charAt(++i));
            } else if (c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0xD7FF)
                    || (c >= 0xE000 && c <= 0xFFFD)) {
                b.append(c);
            } else {
                b.append('\uFFFD');
            }
        }
        return b.toString();
    }
}
