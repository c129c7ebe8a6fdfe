package io.costgen.samples.cli;

import static io.costgen.samples.cli.HostileInputCatalogueTest.HostileInputs.bad;

import io.costgen.samples.cli.HostileInputCatalogueTest.Case;
import io.costgen.samples.cli.HostileInputCatalogueTest.Env;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code costgen project}: bad inputs. Inline inputs (gpt2, 100 + 100 tokens, 1000 requests/day)
 * unless a case sets them.
 */
final class ProjectHostileInputs implements HostileInputCatalogueTest.HostileInputs {

  @Override
  public String command() {
    return "project";
  }

  @Override
  public List<Case> cases(Env env) {
    List<Case> c = new ArrayList<>();
    c.add(p("--requests-per-day", "allowed (0, 1e+15]", "--requests-per-day", "1e308"));
    c.add(p("--requests-per-day", "allowed (0, 1e+15]", "--requests-per-day", "0"));
    c.add(p("--requests-per-day", "allowed (0, 1e+15]", "--requests-per-day", "-5"));
    c.add(p("--requests-per-day", "finite number", "--requests-per-day", "NaN"));
    c.add(p("--requests-per-day", "finite number", "--requests-per-day", "Infinity"));
    c.add(p("--requests-per-day", "not a number", "--requests-per-day", "lots"));
    c.add(p("--daily-active-users", "allowed (0, ", "--daily-active-users", "0"));
    c.add(p("--daily-active-users", "allowed (0, ", "--daily-active-users", "1e12"));
    c.add(p("--queries-per-user", "allowed (0, ", "--queries-per-user", "0"));
    c.add(p("--queries-per-user", "allowed (0, ", "--queries-per-user", "1e7"));
    c.add(p("--prompt-tokens", "allowed 0 to", "--prompt-tokens", "-1"));
    c.add(p("--prompt-tokens", "allowed 0 to", "--prompt-tokens", "1000000000"));
    c.add(p("--output-tokens", "allowed 0 to", "--output-tokens", "-1"));
    c.add(p("--output-tokens", "whole number", "--output-tokens", "1.5"));
    c.add(p("--peak-to-average", "allowed [1, 100]", "--peak-to-average", "0.5"));
    c.add(p("--peak-to-average", "allowed [1, 100]", "--peak-to-average", "1000"));
    c.add(p("--devices-per-replica", "allowed 1 to", "--devices-per-replica", "0"));
    c.add(p("--devices-per-server", "allowed 1 to 1024", "--devices-per-server", "0"));
    c.add(p("--devices-per-server", "allowed 1 to 1024", "--devices-per-server", "5000"));
    c.add(p("--mfu", "allowed (0, 1]", "--mfu", "0"));
    c.add(p("--mfu", "allowed (0, 1]", "--mfu", "2"));
    c.add(p("--bandwidth-efficiency", "allowed (0, 1]", "--bandwidth-efficiency", "0"));
    c.add(p("--utilization", "allowed (0, 1]", "--utilization", "0"));
    c.add(p("--utilization", "allowed (0, 1]", "--utilization", "1.5"));
    c.add(p("--batch", "allowed 1 to", "--batch", "0"));
    c.add(p("--target-latency", "allowed (0, 86400]", "--target-latency", "0"));
    c.add(p("--target-latency", "allowed (0, 86400]", "--target-latency", "1e9"));
    c.add(p("--measured-throughput", "allowed (0, ", "--measured-throughput", "0"));
    c.add(p("--measured-throughput", "allowed (0, ", "--measured-throughput", "1e13"));
    c.add(p("--price-per-hour", "allowed", "--price-per-hour", "1e999999999"));
    c.add(p("--price-per-hour", "allowed 0 to 1000000", "--price-per-hour", "-1"));
    c.add(p("--pue", "allowed [1, 3]", "--pue", "0.9"));
    c.add(p("--grid-gco2-per-kwh", "allowed [0, 2000]", "--grid-gco2-per-kwh", "-1"));
    c.add(p("--hardware", "allowed", "--hardware", "NOPE-9000"));
    c.add(p("--dtype", "one of fp32", "--dtype", "fp8"));
    c.add(p("--preset", "one of", "--preset", "gpt-9"));
    c.add(p("--vary", "--vary", "--vary", "nonsense"));
    c.add(p("--csv", "add --vary", "--csv"));
    c.add(p("--csv", "one of --json, --csv", "--json", "--csv"));
    c.add(p("--html", "empty path", "--html", ""));
    c.add(bad("--scenario", "--scenario", "--scenario", "no-such-scenario"));
    c.add(bad("--requests-per-day", "--requests-per-day", "--preset", "gpt2", "--prompt-tokens", "1",
        "--output-tokens", "1"));
    c.add(bad("--prompt-tokens", "required", "--preset", "gpt2", "--requests-per-day", "10"));
    c.add(bad("--preset", "--config", "--requests-per-day", "10", "--prompt-tokens", "1", "--output-tokens", "1"));
    c.add(p("--bogus", "allowed", "--bogus"));
    return c;
  }

  private static Case p(String option, String range, String... args) {
    List<String> given = List.of(args);
    List<String> a = new ArrayList<>();
    for (String[] d : new String[][] {{"--preset", "gpt2"}, {"--prompt-tokens", "100"}, {"--output-tokens", "100"},
        {"--requests-per-day", "1000"}, {"--hardware", "H100-SXM"}}) {
      if (!given.contains(d[0]) && !(d[0].equals("--requests-per-day") && given.contains("--daily-active-users"))) {
        a.addAll(List.of(d));
      }
    }
    a.addAll(given);
    return bad(option, range, a.toArray(String[]::new));
  }
}
