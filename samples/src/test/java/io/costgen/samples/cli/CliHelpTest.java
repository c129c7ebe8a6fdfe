package io.costgen.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.costgen.core.testing.SharedModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The CLI's help, version and output contract (issue 13's CLI section). */
class CliHelpTest {

  record Run(int exitCode, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = CostgenCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void everyOptionOfEveryCommand_hasADescription_andStatesItsDefault() {
    CommandLine root = new CommandLine(new CostgenCli());
    List<CommandLine> commands = new ArrayList<>(root.getSubcommands().values());
    commands.add(root);
    List<String> missing = new ArrayList<>();
    for (CommandLine cl : commands) {
      for (OptionSpec o : cl.getCommandSpec().options()) {
        String name = cl.getCommandName() + " " + o.longestName();
        String description = String.join(" ", o.description()).trim();
        if (description.isEmpty()) {
          missing.add(name + ": no description");
          continue;
        }
        boolean flag = o.arity().max() == 0;
        boolean statesDefault = o.defaultValue() != null || o.required() || flag || o.usageHelp() || o.versionHelp()
            || description.toLowerCase(Locale.ROOT).contains("default");
        if (!statesDefault) {
          missing.add(name + ": no default shown");
        }
      }
    }
    assertThat(missing).isEmpty();
  }

  @Test
  void help_showsDefaults_andListsExitCodes_forEveryCommand() {
    for (String command : List.of("generate", "estimate", "hardware", "project", "report")) {
      Run r = run(command, "--help");
      assertThat(r.exitCode()).isZero();
      assertThat(r.out()).as(command).contains("Exit codes:").contains("bad input").contains("refused by a budget");
    }
    assertThat(run("--help").out()).contains("Exit codes:");
    assertThat(run("generate", "--help").out()).contains("Default: cpu").contains("--threads");
    assertThat(run("report", "--help").out()).contains("Default: UTC");
  }

  @Test
  void version_isTheBuildsVersion_notDev() {
    Run r = run("-V");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).containsPattern("^costgen \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\R").doesNotContain("dev")
        .contains("ONNX Runtime 1.28.0");
    assertThat(run("generate", "-V").out()).isEqualTo(r.out());
  }

  @Test
  void generate_json_usageCarriesTotalTokens() throws Exception {
    Run r = run("generate", "--model", SharedModels.model(SharedModels.STORIES_260K).toString(), "--prompt", "Once",
        "--max-new-tokens", "3", "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode usage = Json.MAPPER.readTree(r.out()).get("usage");
    assertThat(usage.get("totalTokens").asLong())
        .isEqualTo(usage.get("promptTokens").asLong() + usage.get("completionTokens").asLong()).isPositive();
  }
}
