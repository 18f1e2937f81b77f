package dev.focal.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table: left-aligned text columns, right-aligned numbers, two spaces between.
 * Not picocli's Help.TextTable, which lays out usage help: its columns have widths fixed up front
 * and it cannot right-align, where these columns are as wide as their widest cell.
 */
final class Table {
    private final List<String[]> rows = new ArrayList<>();
    private final boolean[] rightAligned;

    /** Column headers; a header starting with '>' marks a right-aligned column (the '>' is dropped). */
    Table(String... headers) {
        rightAligned = new boolean[headers.length];
        String[] h = new String[headers.length];
        for (int i = 0; i < headers.length; i++) {
            rightAligned[i] = headers[i].startsWith(">");
            h[i] = rightAligned[i] ? headers[i].substring(1) : headers[i];
        }
        rows.add(h);
    }

    Table row(Object... cells) {
        String[] r = new String[rightAligned.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = i < cells.length ? String.valueOf(cells[i]) : "";
        }
        rows.add(r);
        return this;
    }

    void print(PrintWriter out, String indent) {
        int[] width = new int[rightAligned.length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder(indent);
            for (int i = 0; i < r.length; i++) {
                if (i > 0) {
                    line.append("  ");
                }
                String pad = " ".repeat(width[i] - r[i].length());
                line.append(rightAligned[i] ? pad + r[i] : r[i] + (i < r.length - 1 ? pad : ""));
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
