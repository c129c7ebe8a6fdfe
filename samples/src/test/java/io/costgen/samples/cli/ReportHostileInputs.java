package io.costgen.samples.cli;

import static io.costgen.samples.cli.HostileInputCatalogueTest.HostileInputs.bad;

import io.costgen.samples.cli.HostileInputCatalogueTest.Case;
import io.costgen.samples.cli.HostileInputCatalogueTest.Env;
import java.util.ArrayList;
import java.util.List;

/** {@code costgen report}: bad inputs (the ledger is the shared one unless a case sets it). */
final class ReportHostileInputs implements HostileInputCatalogueTest.HostileInputs {

  @Override
  public String command() {
    return "report";
  }

  @Override
  public List<Case> cases(Env env) {
    List<Case> c = new ArrayList<>();
    c.add(bad("--ledger", "empty path", "--ledger", ""));
    c.add(bad("--ledger", "allowed", "--ledger", env.badModel("missing").toString()));
    c.add(bad("--ledger", "allowed", "--ledger", env.badModel("garbage-file").toString()));
    c.add(bad("--ledger", "allowed", "--from", "2026-03-01"));
    c.add(r(env, "--from", "allowed: 1970-01-01 to 9999-12-31", "--from=-999999999-01-01"));
    c.add(r(env, "--from", "allowed: 1970-01-01 to 9999-12-31", "--from", "1969-12-31"));
    c.add(r(env, "--to", "allowed: 1970-01-01 to 9999-12-31", "--to", "+10000-01-01"));
    c.add(r(env, "--from", "allowed: YYYY-MM-DD", "--from", "2026-13-01"));
    c.add(r(env, "--from", "allowed: YYYY-MM-DD", "--from", "yesterday"));
    c.add(r(env, "--to", "allowed: YYYY-MM-DD", "--to", "2026-02-30"));
    c.add(r(env, "--from", "allowed: a day up to 2026-03-01", "--from", "2026-03-10", "--to", "2026-03-01"));
    c.add(r(env, "--zone", "allowed: a zone id", "--zone", "Mars/Base"));
    c.add(r(env, "--zone", "allowed: a zone id", "--zone", ""));
    c.add(r(env, "--project-to-traffic", "allowed (0, ", "--project-to-traffic", "0"));
    c.add(r(env, "--project-to-traffic", "allowed (0, ", "--project-to-traffic", "-1"));
    c.add(r(env, "--project-to-traffic", "allowed (0, ", "--project-to-traffic", "1e308"));
    c.add(r(env, "--project-to-traffic", "finite number", "--project-to-traffic", "NaN"));
    c.add(r(env, "--hardware", "allowed", "--project-to-traffic", "100", "--hardware", "NOPE-9000"));
    c.add(r(env, "--tenant", "allowed 1 to 256", "--tenant", ""));
    c.add(r(env, "--csv", "one of --json, --csv", "--json", "--csv"));
    c.add(r(env, "--bogus", "allowed", "--bogus"));
    c.add(r(env, "--from", "allowed", "--from"));
    return c;
  }

  private static Case r(Env env, String option, String range, String... args) {
    List<String> a = new ArrayList<>(List.of("--ledger", env.ledger().toString()));
    a.addAll(List.of(args));
    return bad(option, range, a.toArray(String[]::new));
  }
}
