package io.costgen.core.chat.internal;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import io.costgen.core.chat.ChatTemplateException;
import io.costgen.core.chat.TemplateRaisedException;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.el.TruthyTypeConverter;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.InterpreterFactory;
import java.time.Clock;
import java.util.Collection;
import java.util.Properties;
import jinjava.de.odysseus.el.ExpressionFactoryImpl;
import jinjava.de.odysseus.el.tree.TreeBuilder;
import jinjava.javax.el.CompositeELResolver;
import jinjava.javax.el.ExpressionFactory;
import java.util.HashMap;
import java.util.Map;

/**
 * Renders chat templates with Jinjava configured and extended to behave like transformers'
 * jinja2 environment ({@code ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
 * extensions=[loopcontrols])} with {@code raise_exception}, {@code strftime_now} and a
 * {@code json.dumps}-based {@code tojson}). Thread-safe: one shared engine, state per render.
 */
public final class JinjaEngine {
  /** Context key of the render's clock (read by {@code strftime_now}). */
  static final String CLOCK_KEY = "__costgen_clock__";

  private static final JinjaEngine INSTANCE = new JinjaEngine();

  private final Jinjava jinjava;

  private JinjaEngine() {
    JinjavaConfig config = JinjavaConfig.newBuilder()
        .withTrimBlocks(false) // applied exactly as jinja2 does by BlockWhitespace
        .withLstripBlocks(false)
        .withKeepTrailingNewline(true)
        .withNestedInterpretationEnabled(false)
        .withEnableRecursiveMacroCalls(true)
        .withMaxMacroRecursionDepth(100)
        .withFailOnUnknownTokens(false)
        .withLegacyOverrides(LegacyOverrides.newBuilder()
            .withEvaluateMapKeys(true)
            .withIterateOverMapKeys(true)
            .withUsePyishObjectMapper(true)
            .withUseNaturalOperatorPrecedence(true)
            .withParseWhitespaceControlStrictly(false)
            .withWhitespaceRequiredWithinTokens(false)
            .withUseTrimmingForNotesAndExpressions(true)
            .withKeepNullableLoopValues(true)
            .withHandleBackslashInQuotesOnly(true)
            .withAllowAdjacentTextNodes(false)
            .build())
        .withMaxOutputSize(64L * 1024 * 1024)
        .withElResolver(new CompositeELResolver() {
          {
            add(new PyMethods());
            add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
          }
        })
        .withInterperterFactory(new PyInterpreterFactory())
        .build();
    jinjava = new PyJinjava(config);
    jinjava.registerFunction(new ELFunctionDefinition("", "raise_exception", Functions.class, "raiseException",
        Object.class));
    jinjava.registerFunction(new ELFunctionDefinition("", "strftime_now", Functions.class, "strftimeNow",
        String.class));
    jinjava.registerFilter(new TojsonFilter());
    jinjava.registerFilter(new PyExtensions.Trim());
    jinjava.registerFilter(new PyExtensions.Items());
    jinjava.registerExpTest(new PyExtensions.Iterable());
    jinjava.registerTag(new PyExtensions.For());
  }

  public static JinjaEngine get() {
    return INSTANCE;
  }

  /**
   * Renders {@code source} with {@code variables}.
   *
   * @throws TemplateRaisedException when the template calls {@code raise_exception}
   * @throws ChatTemplateException when the template does not compile or fails to evaluate
   */
  public String render(String source, Map<String, ?> variables, Clock clock, String origin) {
    // jinja2: newlines normalised to \n, and one trailing newline of the source dropped
    String text = source.replace("\r\n", "\n").replace('\r', '\n');
    if (text.endsWith("\n")) {
      text = text.substring(0, text.length() - 1);
    }
    text = BlockWhitespace.apply(text);
    Map<String, Object> bindings = new HashMap<>();
    variables.forEach(bindings::put);
    bindings.put(CLOCK_KEY, clock);
    // jinja2 globals are variables too: templates test "strftime_now is defined"
    bindings.putIfAbsent("raise_exception", GLOBAL_MARK);
    bindings.putIfAbsent("strftime_now", GLOBAL_MARK);
    RenderResult result;
    try {
      result = jinjava.renderForResult(text, bindings);
    } catch (RuntimeException e) {
      TemplateRaise raise = findRaise(e);
      if (raise != null) {
        throw new TemplateRaisedException(raise.getMessage(), origin);
      }
      ChatTemplateException typeError = typeError(e, origin);
      throw typeError != null ? typeError : new ChatTemplateException(origin + ": " + e.getMessage(), e);
    }
    for (TemplateError err : result.getErrors()) {
      TemplateRaise raise = findRaise(err.getException());
      if (raise != null) {
        throw new TemplateRaisedException(raise.getMessage(), origin);
      }
    }
    for (TemplateError err : result.getErrors()) {
      ChatTemplateException typeError = typeError(err.getException(), origin);
      if (typeError != null) {
        throw typeError;
      }
    }
    for (TemplateError err : result.getErrors()) {
      if (err.getSeverity() == TemplateError.ErrorType.FATAL) {
        throw new ChatTemplateException(origin + ": line " + err.getLineno() + ": " + err.getMessage(),
            err.getException());
      }
    }
    return result.getOutput();
  }

  private static final String GLOBAL_MARK = "<built-in function>";

  private static ChatTemplateException typeError(Throwable t, String origin) {
    for (int depth = 0; t != null && depth < 20; depth++, t = t.getCause()) {
      if (t instanceof PyParser.TypeError e) {
        return new ChatTemplateException(origin + ": TypeError: " + e.getMessage(), e);
      }
    }
    return null;
  }

  private static TemplateRaise findRaise(Throwable t) {
    for (int depth = 0; t != null && depth < 20; depth++, t = t.getCause()) {
      if (t instanceof TemplateRaise r) {
        return r;
      }
    }
    return null;
  }

  /** Jinjava whose expressions are parsed by {@link PyParser}. */
  private static final class PyJinjava extends Jinjava {
    private final ExpressionFactory factory;

    PyJinjava(JinjavaConfig config) {
      super(config);
      Properties props = new Properties();
      props.setProperty(TreeBuilder.class.getName(), PyParser.SyntaxBuilder.class.getName());
      factory = new ExpressionFactoryImpl(props, new TruthyTypeConverter());
    }

    @Override
    public ExpressionFactory getExpressionFactory() {
      return factory;
    }
  }

  /** Interpreters that print values as Python's {@code str()} does (True, 1.0, {'a': 1}). */
  private static final class PyInterpreterFactory implements InterpreterFactory {
    @Override
    public JinjavaInterpreter newInstance(JinjavaInterpreter orig) {
      return new PyInterpreter(orig);
    }

    @Override
    public JinjavaInterpreter newInstance(Jinjava application, Context context, JinjavaConfig renderConfig) {
      return new PyInterpreter(application, context, renderConfig);
    }
  }

  private static final class PyInterpreter extends JinjavaInterpreter {
    PyInterpreter(JinjavaInterpreter orig) {
      super(orig);
    }

    PyInterpreter(Jinjava application, Context context, JinjavaConfig config) {
      super(application, context, config);
    }

    @Override
    public Object resolveELExpression(String expression, int lineNumber, int position) {
      PyMethods.resetDefinedNull();
      return super.resolveELExpression(expression, lineNumber, position);
    }

    /** Python's str(): None read from a present key prints "None" (an undefined value prints nothing). */
    @Override
    public String getAsString(Object object) {
      Object v = PyValues.unwrap(object);
      if (v == null) {
        return PyMethods.lastWasDefinedNull() ? "None" : "";
      }
      if (v instanceof Boolean || v instanceof Number || v instanceof Map<?, ?> || v instanceof Collection<?>) {
        return PyValues.str(v);
      }
      return super.getAsString(object);
    }
  }

  /** Thrown by {@code raise_exception(msg)}; turned into a {@link TemplateRaisedException}. */
  static final class TemplateRaise extends RuntimeException {
    TemplateRaise(String message) {
      super(message, null, false, false);
    }
  }

  /** Template globals (static, as Jinjava's function definitions need). */
  public static final class Functions {
    private Functions() {}

    public static Object raiseException(Object message) {
      throw new TemplateRaise(PyValues.str(message));
    }

    public static String strftimeNow(String format) {
      JinjavaInterpreter interpreter = JinjavaInterpreter.getCurrent();
      Object c = interpreter == null ? null : interpreter.getContext().get(CLOCK_KEY);
      Clock clock = c instanceof Clock cl ? cl : Clock.systemDefaultZone();
      return Strftime.format(format, java.time.ZonedDateTime.now(clock));
    }
  }
}
