package dev.focal.cli;

import java.util.List;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Ansi.Text;
import picocli.CommandLine.Help.Column;
import picocli.CommandLine.Help.ColorScheme;
import picocli.CommandLine.Help.TextTable;
import picocli.CommandLine.IHelpFactory;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * picocli's usage help, except that option and parameter descriptions wrap only at spaces.
 * picocli wraps them wherever java.text.BreakIterator allows a line break, which is also inside
 * tokens such as FILE:KEY, (.npy, 1.3e-6 and max(a, b): a reader copying one from the help got
 * half of it. (The usage width stays at 80 columns: a wider one only moves those splits, and an
 * automatic one makes the help depend on the terminal, and costs --help a child process.)
 * Command descriptions and footers are laid out by hand in lines that fit, which picocli leaves
 * as they are.
 */
final class HelpFormat implements IHelpFactory {
    @Override
    public Help create(CommandSpec spec, ColorScheme scheme) {
        return new Help(spec, scheme) {
            @Override
            public Layout createDefaultLayout(List<OptionSpec> options, List<PositionalParamSpec> positionals,
                    ColorScheme colors) {
                int longOptions = calcLongOptionColumnWidth(options, positionals, colors);
                TextTable table = new SpaceWrappingTable(colors,
                        TextTable.forDefaultColumns(colors, longOptions, spec.usageMessage().width()).columns());
                table.setAdjustLineBreaksForWideCJKCharacters(spec.usageMessage().adjustLineBreaksForWideCJKCharacters());
                return new Layout(colors, table, createDefaultOptionRenderer(), createDefaultParameterRenderer());
            }
        };
    }

    /** A text table whose wrapping columns break lines at spaces only. */
    private static final class SpaceWrappingTable extends TextTable {
        private final ColorScheme colors;

        SpaceWrappingTable(ColorScheme colors, Column[] columns) {
            super(colors, columns);
            this.colors = colors;
        }

        /** Writes a wrapping column's value a line at a time, each short enough that picocli does not break it. */
        @Override
        public Cell putValue(int row, int col, Text value) {
            Column column = columns()[col];
            if (column.overflow != Column.Overflow.WRAP || value == null) {
                return super.putValue(row, col, value);
            }
            Text indent = colors.ansi().new Text(" ".repeat(indentWrappedLines), colors);
            Text rest = value;
            while (true) {
                String plain = rest.plainString();
                int end = lineEnd(plain, column.width - column.indent);
                Cell cell = super.putValue(row, col, rest.substring(0, end));
                int next = end;
                while (next < plain.length() && plain.charAt(next) == ' ') {
                    next++;
                }
                if (next == plain.length()) {
                    return cell;
                }
                addEmptyRow();
                row = cell.row + 1;
                rest = indent.concat(rest.substring(next));
            }
        }

        /**
         * The length of the longest start of {@code line} that fits in {@code room} and ends before a
         * space (past the line's indentation); all of it when it fits, or when a single token is longer
         * than the room, which picocli then cuts as it must.
         */
        private static int lineEnd(String line, int room) {
            if (line.length() <= room) {
                return line.length();
            }
            int indentation = 0;
            while (indentation < line.length() && line.charAt(indentation) == ' ') {
                indentation++;
            }
            int space = line.lastIndexOf(' ', room);
            return space > indentation ? space : line.length();
        }
    }
}
