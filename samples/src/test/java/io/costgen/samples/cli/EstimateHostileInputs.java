package io.costgen.samples.cli;

import static io.costgen.samples.cli.HostileInputCatalogueTest.HostileInputs.bad;

import io.costgen.samples.cli.HostileInputCatalogueTest.Case;
import io.costgen.samples.cli.HostileInputCatalogueTest.Env;
import java.util.ArrayList;
import java.util.List;

/** {@code costgen estimate}: bad inputs (the preset is gpt2 unless a case chooses the model). */
final class EstimateHostileInputs implements HostileInputCatalogueTest.HostileInputs {

  @Override
  public String command() {
    return "estimate";
  }

  @Override
  public List<Case> cases(Env env) {
    List<Case> c = new ArrayList<>();
    c.add(bad("--preset", "one of", "--preset", "gpt-9"));
    c.add(bad("--preset", "allowed", "--hardware", "H100-SXM"));
    c.add(bad("--preset", "mutually exclusive", "--preset", "gpt2", "--config", "x.json"));
    c.add(bad("--config", "allowed", "--config", env.work().resolve("missing.json").toString()));
    c.add(bad("--config", "allowed", "--config", env.badModel("garbage-config").resolve("config.json").toString()));
    c.add(bad("--config", "empty path", "--config", ""));
    c.add(bad("--model", "empty path", "--model", ""));
    c.add(bad("--model", "allowed", "--model", env.badModel("missing").toString()));
    c.add(bad("--model", "allowed", "--model", env.badModel("garbage-config").toString()));
    c.add(e("--hardware", "allowed", "--hardware", "NOPE-9000"));
    c.add(e("--dtype", "one of fp32", "--dtype", "fp8"));
    c.add(e("--prompt-tokens", "allowed 0 to", "--prompt-tokens", "-1"));
    c.add(e("--prompt-tokens", "allowed 0 to", "--prompt-tokens", "1000000000000"));
    c.add(e("--prompt-tokens", "whole number", "--prompt-tokens", "abc"));
    c.add(e("--new-tokens", "allowed 0 to", "--new-tokens", "-1"));
    c.add(e("--new-tokens", "allowed 0 to", "--new-tokens", "999999999999"));
    c.add(e("--batch", "allowed 1 to", "--batch", "0"));
    c.add(e("--batch", "allowed 1 to", "--batch", "-1"));
    c.add(e("--batch", "allowed 1 to", "--batch", "2000000"));
    c.add(e("--batch", "whole number", "--batch", "x"));
    c.add(e("--devices", "allowed 1 to", "--devices", "0"));
    c.add(e("--devices", "allowed 1 to", "--devices", "2000000"));
    c.add(e("--context", "allowed 0 to", "--context", "-1"));
    c.add(e("--context", "allowed 0 to", "--context", "1000000000"));
    c.add(e("--mfu", "allowed (0, 1]", "--mfu", "0"));
    c.add(e("--mfu", "allowed (0, 1]", "--mfu", "1.5"));
    c.add(e("--mfu", "allowed (0, 1]", "--mfu", "-1"));
    c.add(e("--mfu", "finite number", "--mfu", "NaN"));
    c.add(e("--bandwidth-efficiency", "allowed (0, 1]", "--bandwidth-efficiency", "0"));
    c.add(e("--bandwidth-efficiency", "allowed (0, 1]", "--bandwidth-efficiency", "2"));
    c.add(e("--training-tokens", "allowed (0, ", "--training-tokens", "0"));
    c.add(e("--training-tokens", "allowed (0, ", "--training-tokens", "-1"));
    c.add(e("--training-tokens", "allowed (0, ", "--training-tokens", "1e300"));
    c.add(e("--bogus", "allowed", "--bogus"));
    c.add(e("--json", "allowed", "--json=maybe"));
    return c;
  }

  private static Case e(String option, String range, String... args) {
    List<String> a = new ArrayList<>(List.of("--preset", "gpt2"));
    a.addAll(List.of(args));
    return bad(option, range, a.toArray(String[]::new));
  }
}
