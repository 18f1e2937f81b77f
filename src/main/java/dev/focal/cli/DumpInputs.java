package dev.focal.cli;

import dev.focal.FocalException;
import dev.focal.io.FileNames;
import dev.focal.io.IoErrors;
import dev.focal.io.TensorIO;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The dumps of a many-dumps eval (docs/commands.md#many-dumps): the BUNDLE arguments in their
 * order, a folder standing for its bundles in natural order, then the lines of {@code --inputs}.
 */
final class DumpInputs {
    /** An --inputs list longer than this is refused before it is read: no run has that many dumps. */
    static final long MAX_LIST_BYTES = 64L << 20;

    private DumpInputs() {
    }

    /**
     * Every dump, in the order given. A folder that holds no bundle, and an unreadable --inputs
     * list, are input errors (exit 3); a dump that is missing is left to its own row.
     */
    static List<String> expand(List<String> arguments, Path inputsList) {
        List<String> dumps = new ArrayList<>();
        for (String a : arguments) {
            Path p = FileNames.path(a, FocalException.INPUT);
            if (Files.isDirectory(p)) {
                dumps.addAll(folder(a, p));
            } else {
                dumps.add(a);
            }
        }
        if (inputsList != null) {
            dumps.addAll(lines(inputsList));
        }
        return dumps;
    }

    /** The folder's bundles (by their extension, see TensorIO#isBundleName), in natural order. */
    private static List<String> folder(String name, Path dir) {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path e : entries) {
                String file = e.getFileName().toString();
                if (TensorIO.isBundleName(file) && !file.startsWith(".") && Files.isRegularFile(e)) {
                    names.add(file);
                }
            }
        } catch (IOException e) {
            throw FocalException.input(name, "cannot list the folder: " + IoErrors.describe(e), e);
        }
        if (names.isEmpty()) {
            throw FocalException.input(name, "the folder holds no bundle (.npz, .safetensors, .pt, .pth or JSON files)");
        }
        names.sort(NATURAL);
        List<String> dumps = new ArrayList<>();
        String prefix = name.endsWith("/") ? name : name + "/";
        for (String n : names) {
            dumps.add(prefix + n);
        }
        return dumps;
    }

    /** One dump per line, as the shell would name it (relative to the working folder); blank lines skipped. */
    private static List<String> lines(Path list) {
        try {
            if (Files.size(list) > MAX_LIST_BYTES) {
                throw FocalException.input(list.toString(), "--inputs list is over " + (MAX_LIST_BYTES >> 20)
                        + " MiB; expected one bundle per line");
            }
            List<String> dumps = new ArrayList<>();
            for (String line : Files.readAllLines(list, StandardCharsets.UTF_8)) {
                String s = line.strip();
                if (!s.isEmpty()) {
                    dumps.add(s);
                }
            }
            if (dumps.isEmpty()) {
                throw FocalException.input(list.toString(), "--inputs list names no bundle");
            }
            return dumps;
        } catch (CharacterCodingException e) {
            throw FocalException.input(list.toString(), "--inputs list is not UTF-8 text", e);
        } catch (IOException e) {
            throw FocalException.input(list.toString(), "cannot read the --inputs list: " + IoErrors.describe(e), e);
        }
    }

    /**
     * Natural order: runs of digits compare as numbers ({@code iter_9} before {@code iter_10}),
     * the rest character by character; names equal that way (leading zeros) fall back to plain order.
     */
    static final Comparator<String> NATURAL = ((Comparator<String>) DumpInputs::compareNatural)
            .thenComparing(Comparator.naturalOrder());

    private static int compareNatural(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (isDigit(ca) && isDigit(cb)) {
                int ei = digitsEnd(a, i);
                int ej = digitsEnd(b, j);
                int c = new BigInteger(a.substring(i, ei)).compareTo(new BigInteger(b.substring(j, ej)));
                if (c != 0) {
                    return c;
                }
                i = ei;
                j = ej;
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int digitsEnd(String s, int from) {
        int k = from;
        while (k < s.length() && isDigit(s.charAt(k))) {
            k++;
        }
        return k;
    }
}
