package dev.focal.io.npy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The header parser tells tuples from lists and from values in parentheses as Python does, and
 * shows what it read as Python would: each expected text is Python's
 * {@code repr(ast.literal_eval(text))} of the literal beside it.
 */
class PyLiteralTest {

    @Test
    void literalsReadBackAsPythonsRepr() throws PyLiteral.SyntaxError {
        String[][] cases = {
            {"{'a': (1,), 'b': [None, True, False], 'c': ((), (2, 3)), 'd': (7), 'e': ((-4)), 3: 'x'}",
                "{'a': (1,), 'b': [None, True, False], 'c': ((), (2, 3)), 'd': 7, 'e': -4, 3: 'x'}"},
            {"[('x', '<f4'), ('y', '<i4', (2,))]", "[('x', '<f4'), ('y', '<i4', (2,))]"},
            {"(1, [2, (3,)],)", "(1, [2, (3,)])"},
        };
        for (String[] c : cases) {
            assertEquals(c[1], PyLiteral.repr(PyLiteral.parse(c[0])), c[0]);
        }
    }
}
