package io.costgen.samples.cli;

import static io.costgen.samples.cli.HostileInputCatalogueTest.HostileInputs.bad;

import io.costgen.samples.cli.HostileInputCatalogueTest.Case;
import io.costgen.samples.cli.HostileInputCatalogueTest.Env;
import java.util.List;

/** {@code costgen hardware}: bad inputs. */
final class HardwareHostileInputs implements HostileInputCatalogueTest.HostileInputs {

  @Override
  public String command() {
    return "hardware";
  }

  @Override
  public List<Case> cases(Env env) {
    return List.of(
        bad("--bogus", "allowed", "--bogus"),
        bad("-x", "allowed", "-x"),
        bad("H100", "allowed", "H100"),
        bad("--json", "allowed", "--json=maybe"),
        bad("--include-cpu", "allowed", "--include-cpu=2"));
  }
}
