package io.costgen.samples.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code costgen} command line: {@code generate}, {@code estimate}, {@code hardware}.
 *
 * <p>Bad input exits with status 2 and a one-line message on stderr; a call refused by a budget
 * with status 3 and the refusal's message; any other failure with status 1.
 */
@Command(
    name = "costgen",
    mixinStandardHelpOptions = true,
    versionProvider = CostgenCli.Version.class,
    description = "Transformer text generation on ONNX Runtime with a price on every call.",
    subcommands = {GenerateCommand.class, CalibrateCommand.class, EstimateCommand.class, HardwareCommand.class, ProjectCommand.class,
        ReportCommand.class})
public final class CostgenCli implements Runnable {

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
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      Throwable root = ex;
      if (root instanceof io.costgen.cost.budget.BudgetExceededException) {
        commandLine.getErr().println("costgen: " + oneLine(root.getMessage()));
        return 3;
      }
      if (root instanceof IllegalArgumentException || root instanceof IllegalStateException) {
        commandLine.getErr().println("costgen: " + oneLine(root.getMessage()));
        return 2;
      }
      commandLine.getErr().println("costgen: " + root.getClass().getSimpleName() + ": " + oneLine(root.getMessage()));
      return 1;
    });
    cl.setParameterExceptionHandler((ex, args2) -> {
      ex.getCommandLine().getErr().println("costgen: " + oneLine(ex.getMessage()));
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

  /** Version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = CostgenCli.class.getPackage().getImplementationVersion();
      return new String[] {"costgen " + (v == null ? "dev" : v)};
    }
  }
}
