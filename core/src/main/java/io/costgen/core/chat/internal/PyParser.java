package io.costgen.core.chat.internal;

import com.hubspot.jinjava.el.ExtendedSyntaxBuilder;
import com.hubspot.jinjava.el.ext.AdditionOperator;
import com.hubspot.jinjava.el.ext.ExtendedParser;
import jinjava.de.odysseus.el.misc.NumberOperations;
import jinjava.de.odysseus.el.misc.TypeConverter;
import jinjava.de.odysseus.el.tree.impl.Builder;
import jinjava.de.odysseus.el.tree.impl.Parser;
import jinjava.de.odysseus.el.tree.impl.Scanner;
import jinjava.de.odysseus.el.tree.impl.ast.AstBinary;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;
import jinjava.de.odysseus.el.tree.impl.ast.AstUnary;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Jinjava's expression parser with jinja2's semantics where they differ and chat templates
 * depend on them: {@code not} binds looser than comparisons and {@code is} tests
 * ({@code not x is defined} is {@code not (x is defined)}), and {@code +} follows Python (no
 * string + None: a {@link TypeError} as jinja2 raises).
 */
public final class PyParser extends ExtendedParser {

  public PyParser(Builder context, String input) {
    super(context, input);
  }

  @Override
  protected AstNode eq(boolean required) throws Scanner.ScanException, Parser.ParseException {
    if (getToken().getSymbol() == Scanner.Symbol.NOT && !"in".equals(lookahead(0).getImage())) {
      consumeToken();
      return createAstUnary(eq(true), AstUnary.NOT);
    }
    return super.eq(required);
  }

  @Override
  protected AstBinary createAstBinary(AstNode left, AstNode right, AstBinary.Operator operator) {
    return super.createAstBinary(left, right, operator == AdditionOperator.OP ? PyAdd.OP : operator);
  }

  /** The tree builder that creates {@link PyParser}s (named by class in the EL factory's properties). */
  public static final class SyntaxBuilder extends ExtendedSyntaxBuilder {
    private static final long serialVersionUID = 1L;

    public SyntaxBuilder() {
      super();
    }

    public SyntaxBuilder(Builder.Feature... features) {
      super(features);
    }

    @Override
    protected Parser createParser(String expression) {
      return new PyParser(this, expression);
    }
  }

  /** Python's {@code +}: str + str, number + number, list + list; anything else is a TypeError. */
  static final class PyAdd extends AstBinary.SimpleOperator {
    static final PyAdd OP = new PyAdd();

    @Override
    protected Object apply(TypeConverter converter, Object o1, Object o2) {
      Object a = PyValues.unwrap(o1);
      Object b = PyValues.unwrap(o2);
      if (a instanceof CharSequence && b instanceof CharSequence) {
        return a.toString() + b;
      }
      if (a instanceof Number && b instanceof Number) {
        return NumberOperations.add(converter, a, b);
      }
      if (a instanceof Collection<?> x && b instanceof Collection<?> y) {
        List<Object> out = new ArrayList<>(x);
        out.addAll(y);
        return out;
      }
      String ta = PyValues.typeName(a);
      if (a instanceof CharSequence || a instanceof Collection<?>) {
        throw new TypeError("can only concatenate " + ta + " (not \"" + PyValues.typeName(b) + "\") to " + ta);
      }
      throw new TypeError("unsupported operand type(s) for +: '" + ta + "' and '" + PyValues.typeName(b) + "'");
    }

    @Override
    public String toString() {
      return "+";
    }
  }

  /** Python's TypeError, raised while evaluating a template. */
  public static final class TypeError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TypeError(String message) {
      super(message);
    }
  }
}
