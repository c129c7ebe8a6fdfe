package io.costgen.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.costgen.cost.Money;
import io.costgen.cost.meter.JsonLinesLedger;
import io.costgen.cost.meter.UsageRecord;
import io.costgen.core.testing.SharedModels;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The hostile-input catalogue: one table of bad inputs per CLI command, each run in-process and
 * checked for exit code 2, exactly one line on stderr naming the option and its allowed range,
 * no stack trace, nothing on stdout, and no change to the ledger folder.
 *
 * <p>Adding a command: write a {@link HostileInputs} table (see {@link GenerateHostileInputs}) and
 * add it to {@link #TABLES}; {@link #everyCommand_hasATable()} fails until you do.
 */
class HostileInputCatalogueTest {

  /** A bad input: the arguments after the command name, the option the error must name, and a range snippet. */
  record Case(String option, String range, List<String> args) {
    @Override
    public String toString() {
      String shown = String.join(" ", args);
      return option + " <- " + (shown.length() > 100 ? shown.substring(0, 97) + "..." : shown);
    }
  }

  /** One command's table. */
  interface HostileInputs {
    /** The subcommand's name, e.g. {@code generate}. */
    String command();

    /** The bad inputs. */
    List<Case> cases(Env env);

    /** A case whose error names {@code option} and contains {@code range}. */
    static Case bad(String option, String range, String... args) {
      return new Case(option, range, List.of(args));
    }
  }

  /** Paths the tables use: a real model, a ledger with one record, broken model folders. */
  record Env(Path stories, Path ledger, Path work, Map<String, Path> badModels) {
    Path badModel(String name) {
      return badModels.get(name);
    }
  }

  static final List<HostileInputs> TABLES = List.of(new GenerateHostileInputs(), new ChatHostileInputs(), new EstimateHostileInputs(),
      new HardwareHostileInputs(), new ProjectHostileInputs(), new ReportHostileInputs(),
      new CalibrateHostileInputs());

  @TempDir static Path work;
  static Env env;

  @BeforeAll
  static void setUp() throws IOException {
    Path ledger = Files.createDirectories(work.resolve("ledger"));
    try (JsonLinesLedger l = JsonLinesLedger.open(ledger)) {
      Instant t = Instant.parse("2026-03-10T12:00:00Z");
      l.record(UsageRecord.builder().tenantId("acme").model("gpt2").promptTokens(10).completionTokens(5)
          .money(Money.usd("0.01")).finishReason("length").start(t).end(t).build());
    }
    env = new Env(SharedModels.model(SharedModels.STORIES_260K), ledger, work, BadModels.create(work.resolve("bad-models")));
  }

  @TestFactory
  Stream<DynamicContainer> catalogue() {
    return TABLES.stream().map(t -> DynamicContainer.dynamicContainer(t.command(),
        t.cases(env).stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> check(t.command(), c)))));
  }

  @Test
  void catalogue_holdsAtLeast150Cases_andEveryCaseIsDistinct() {
    List<List<String>> all = new ArrayList<>();
    for (HostileInputs t : TABLES) {
      for (Case c : t.cases(env)) {
        List<String> key = new ArrayList<>(c.args());
        key.add(0, t.command());
        all.add(key);
      }
    }
    assertThat(all).hasSizeGreaterThanOrEqualTo(150).doesNotHaveDuplicates();
  }

  @Test
  void everyCommand_hasATable() {
    CommandLine cl = new CommandLine(new CostgenCli());
    assertThat(TABLES).extracting(HostileInputs::command)
        .as("every subcommand needs a hostile-input table: implement HostileInputs (see GenerateHostileInputs)"
            + " and add it to HostileInputCatalogueTest.TABLES")
        .containsExactlyInAnyOrderElementsOf(cl.getSubcommands().keySet().stream().filter(n -> !n.equals("help")).toList());
  }

  static void check(String command, Case c) throws IOException {
    Map<String, String> before = snapshot(env.ledger());
    List<String> args = new ArrayList<>();
    args.add(command);
    args.addAll(c.args());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = CostgenCli.execute(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    String e = err.toString();
    String describe = c + "\nexit " + code + "\nstderr: " + e + "\nstdout: " + clip(out.toString());
    assertThat(code).as(describe).isEqualTo(2);
    assertThat(e.lines().toList()).as(describe).hasSize(1);
    assertThat(e).as(describe).startsWith("costgen: ").contains(c.option()).contains(c.range())
        .doesNotContain("\tat ").doesNotContain("Exception:");
    assertThat(out.toString()).as(describe).isEmpty();
    assertThat(snapshot(env.ledger())).as("ledger after " + c).isEqualTo(before);
  }

  private static String clip(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }

  /** File name to size and content hash of every file under {@code dir}. */
  static Map<String, String> snapshot(Path dir) throws IOException {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        byte[] b = Files.readAllBytes(p);
        m.put(dir.relativize(p).toString(), b.length + ":" + Arrays.hashCode(b));
      }
    }
    return m;
  }
}
