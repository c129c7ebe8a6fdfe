package io.costgen.samples.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code costgen} command line: {@code generate}, {@code estimate}, {@code hardware},
 * {@code project}, {@code report}.
 *
 * <p>Exit codes ({@link #EXIT_CODES}): 0 success; 1 internal error; 2 bad input (one line on
 * stderr naming the option and its allowed range, nothing recorded); 3 refused by a budget.
 */
@Command(
    name = "costgen",
    mixinStandardHelpOptions = true,
    versionProvider = CostgenCli.Version.class,
    showDefaultValues = true,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {CostgenCli.EXIT_OK, CostgenCli.EXIT_INTERNAL, CostgenCli.EXIT_BAD_INPUT, CostgenCli.EXIT_BUDGET},
    description = "Transformer text generation on ONNX Runtime with a price on every call.",
    subcommands = {GenerateCommand.class, ChatCommand.class, CalibrateCommand.class, EstimateCommand.class, HardwareCommand.class, ProjectCommand.class,
        ReportCommand.class})
public final class CostgenCli implements Runnable {

  static final String EXIT_OK = "0:success";
  static final String EXIT_INTERNAL = "1:internal error (a bug or an environment failure; the message says which)";
  static final String EXIT_BAD_INPUT = "2:bad input: one line on stderr naming the option and its allowed range;"
      + " nothing is run or recorded";
  static final String EXIT_BUDGET = "3:refused by a budget (the message names the budget, limit and spend)";
  /** The exit codes, as listed in every command's help. */
  static final String[] EXIT_CODES = {EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT, EXIT_BUDGET};

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    quietLogging();
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    int code = execute(args, out, err);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /** Runs the CLI with the given streams and returns the exit code (for tests). */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new CostgenCli());
    OptionChecks.registerConverters(cl);
    for (CommandLine sub : cl.getSubcommands().values()) {
      // Every command shows its defaults, the exit codes and the real version.
      sub.getCommandSpec().usageMessage().showDefaultValues(true)
          .exitCodeListHeading("%nExit codes:%n").exitCodeList(exitCodes());
      sub.getCommandSpec().versionProvider(new Version());
    }
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      Throwable root = ex;
      if (root instanceof io.costgen.cost.budget.BudgetExceededException) {
        commandLine.getErr().println("costgen: " + oneLine(root.getMessage()));
        return 3;
      }
      if (root instanceof IllegalArgumentException || root instanceof IllegalStateException
          || root instanceof io.costgen.core.ModelLoadException) {
        commandLine.getErr().println("costgen: " + oneLine(root.getMessage()));
        return 2;
      }
      if (root instanceof io.costgen.onnx.CudaUnavailableException) {
        // an environment failure (exit 1) whose message already says what is missing and what to install
        commandLine.getErr().println("costgen: " + oneLine(root.getMessage()));
        return 1;
      }
      commandLine.getErr().println("costgen: " + root.getClass().getSimpleName() + ": " + oneLine(root.getMessage()));
      return 1;
    });
    cl.setParameterExceptionHandler((ex, args2) -> {
      String message = oneLine(ex.getMessage());
      if (!message.contains("allowed")) {
        message += "; allowed: the options and values in `" + ex.getCommandLine().getCommandSpec().qualifiedName()
            + " --help`";
      }
      ex.getCommandLine().getErr().println("costgen: " + message);
      return 2;
    });
    return cl.execute(args);
  }

  /** CLI default: warnings only (library INFO lines and DJL's GPU probe stay quiet); -D overrides. */
  static void quietLogging() {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
        System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
    System.setProperty("org.slf4j.simpleLogger.log.ai.djl",
        System.getProperty("org.slf4j.simpleLogger.log.ai.djl", "error"));
  }

  static String oneLine(String s) {
    if (s == null) {
      return "(no message)";
    }
    return s.replace('\n', ' ').replace('\r', ' ');
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  private static java.util.Map<String, String> exitCodes() {
    java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
    for (String e : EXIT_CODES) {
      int colon = e.indexOf(':');
      m.put(e.substring(0, colon), e.substring(colon + 1));
    }
    return m;
  }

  /** The build's version, from {@code version.properties} (filtered by Maven at build time). */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"costgen " + version(), "ONNX Runtime " + onnxRuntimeVersion()};
    }

    static String version() {
      String v = properties().getProperty("version");
      if (v == null || v.isBlank() || v.contains("${")) {
        throw new IllegalStateException("version.properties is missing or was not filtered by the build");
      }
      return v;
    }

    static String onnxRuntimeVersion() {
      return properties().getProperty("onnxruntime.version", "unknown");
    }

    private static java.util.Properties properties() {
      java.util.Properties p = new java.util.Properties();
      try (java.io.InputStream in = CostgenCli.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          p.load(in);
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("reading version.properties", e);
      }
      return p;
    }
  }
}
