package io.costgen.samples.cli;

import static io.costgen.samples.cli.HostileInputCatalogueTest.HostileInputs.bad;

import io.costgen.samples.cli.HostileInputCatalogueTest.Case;
import io.costgen.samples.cli.HostileInputCatalogueTest.Env;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code costgen generate}: bad inputs. The model is stories260k and the ledger the shared one unless a case sets them. */
final class GenerateHostileInputs implements HostileInputCatalogueTest.HostileInputs {

  @Override
  public String command() {
    return "generate";
  }

  @Override
  public List<Case> cases(Env env) {
    List<Case> c = new ArrayList<>();
    // --threads: bounded by the machine
    c.add(g(env, "--threads", "allowed 1 to", "--threads", "100000"));
    c.add(g(env, "--threads", "allowed 1 to", "--threads", "0"));
    c.add(g(env, "--threads", "allowed 1 to", "--threads", "-1"));
    c.add(g(env, "--threads", "whole number", "--threads", "abc"));
    c.add(g(env, "--threads", "whole number", "--threads", "99999999999"));
    c.add(g(env, "--threads", "whole number", "--threads", "1.5"));
    // lengths
    c.add(g(env, "--max-new-tokens", "allowed", "--max-new-tokens", "-1"));
    c.add(g(env, "--max-new-tokens", "whole number", "--max-new-tokens", "abc"));
    c.add(g(env, "--max-new-tokens", "whole number", "--max-new-tokens", "1e3"));
    c.add(g(env, "--max-new-tokens", "whole number", "--max-new-tokens", "2147483648"));
    c.add(g(env, "--max-length", "allowed", "--max-length", "0"));
    c.add(g(env, "--max-length", "allowed", "--max-length", "-5"));
    c.add(g(env, "--max-length", "context length", "--max-length", "100000"));
    c.add(g(env, "--max-new-tokens", "context length", "--max-new-tokens", "100000"));
    c.add(g(env, "--min-new-tokens", "allowed 0 to 2", "--min-new-tokens", "5", "--max-new-tokens", "2"));
    c.add(g(env, "--min-new-tokens", "allowed", "--min-new-tokens", "-1"));
    // sampling and search
    c.add(g(env, "--temperature", "allowed", "--temperature", "0", "--do-sample"));
    c.add(g(env, "--temperature", "allowed", "--temperature", "-1"));
    c.add(g(env, "--temperature", "finite number", "--temperature", "NaN"));
    c.add(g(env, "--temperature", "finite number", "--temperature", "Infinity"));
    c.add(g(env, "--temperature", "finite number", "--temperature", "1e999"));
    c.add(g(env, "--temperature", "not a number", "--temperature", "hot"));
    c.add(g(env, "--top-k", "allowed", "--top-k", "-1"));
    c.add(g(env, "--top-p", "allowed", "--top-p", "0"));
    c.add(g(env, "--top-p", "allowed", "--top-p", "1.5"));
    c.add(g(env, "--top-p", "allowed", "--top-p", "-0.1"));
    c.add(g(env, "--min-p", "allowed", "--min-p", "2"));
    c.add(g(env, "--min-p", "allowed", "--min-p", "-1"));
    c.add(g(env, "--num-beams", "allowed", "--num-beams", "0"));
    c.add(g(env, "--num-beams", "allowed", "--num-beams", "-3"));
    c.add(g(env, "--num-return-sequences", "allowed", "--num-return-sequences", "0"));
    c.add(g(env, "--num-return-sequences", "allowed", "--num-return-sequences", "3"));
    c.add(g(env, "--num-return-sequences", "allowed", "--num-return-sequences", "5", "--num-beams", "2"));
    c.add(g(env, "--repetition-penalty", "allowed", "--repetition-penalty", "0"));
    c.add(g(env, "--repetition-penalty", "allowed", "--repetition-penalty", "-1"));
    c.add(g(env, "--no-repeat-ngram-size", "allowed", "--no-repeat-ngram-size", "-1"));
    c.add(g(env, "--length-penalty", "finite number", "--length-penalty", "NaN"));
    c.add(g(env, "--early-stopping", "one of true, false, never", "--early-stopping", "maybe"));
    c.add(g(env, "--provider", "one of cpu, cuda", "--provider", "gpu"));
    c.add(g(env, "--provider", "one of cpu, cuda", "--provider", ""));
    c.add(g(env, "--seed", "whole number", "--seed", "abc"));
    c.add(g(env, "--seed", "whole number", "--seed", "1e5"));
    c.add(g(env, "--seed", "whole number", "--seed", "99999999999999999999"));
    // prices and energy: huge decimals are rejected before any arithmetic
    c.add(g(env, "--price-per-hour", "allowed", "--price-per-hour", "1e999999999"));
    c.add(g(env, "--price-per-hour", "allowed", "--price-per-hour", "1e-999999999"));
    c.add(g(env, "--price-per-hour", "allowed 0 to 1000000", "--price-per-hour", "-1"));
    c.add(g(env, "--price-per-hour", "allowed 0 to 1000000", "--price-per-hour", "2000000"));
    c.add(g(env, "--price-per-hour", "at most 12 decimal places", "--price-per-hour", "0.0000000000001"));
    c.add(g(env, "--price-per-hour", "not a decimal", "--price-per-hour", "abc"));
    c.add(g(env, "--price-per-hour", "not a decimal", "--price-per-hour", "NaN"));
    c.add(g(env, "--price-per-hour", "at most 64 characters", "--price-per-hour", "1".repeat(100)));
    c.add(g(env, "--price-per-1m-input", "allowed 0 to 1000000", "--price-per-1m-input", "-5"));
    c.add(g(env, "--price-per-1m-output", "allowed", "--price-per-1m-output", "1e40"));
    c.add(g(env, "--price-per-1m-output", "not a decimal", "--price-per-1m-output", "$1"));
    c.add(g(env, "--pue", "allowed [1, 3]", "--pue", "0.5"));
    c.add(g(env, "--pue", "allowed [1, 3]", "--pue", "100"));
    c.add(g(env, "--pue", "finite number", "--pue", "NaN"));
    c.add(g(env, "--grid-gco2-per-kwh", "allowed [0, 2000]", "--grid-gco2-per-kwh", "-1"));
    c.add(g(env, "--grid-gco2-per-kwh", "allowed [0, 2000]", "--grid-gco2-per-kwh", "1e9"));
    c.add(g(env, "--price-kwh", "allowed 0 to 1000", "--price-kwh", "-0.1"));
    c.add(g(env, "--price-kwh", "allowed 0 to 1000", "--price-kwh", "5000"));
    c.add(g(env, "--price-kwh", "allowed", "--price-kwh", "1e999999999"));
    c.add(g(env, "--compare", "--compare", "--compare", "no-such-target"));
    c.add(g(env, "--compare", "--compare", "--compare", "H100-SXM,,L4"));
    c.add(g(env, "--hardware", "allowed", "--hardware", "NOPE-9000"));
    c.add(g(env, "--hardware", "allowed", "--hardware", ""));
    // paths
    c.add(g(env, "--ledger", "empty path", "--ledger", ""));
    c.add(g(env, "--ledger", "empty path", "--ledger", "   "));
    c.add(g(env, "--ledger", "allowed: a directory", "--ledger", aFile(env).toString()));
    c.add(g(env, "--model", "empty", "--model", ""));
    c.add(g(env, "--model", "empty", "--model", " "));
    for (String name : List.of("empty-dir", "garbage-onnx", "empty-onnx", "truncated-onnx", "garbage-tokenizer",
        "garbage-file", "missing")) {
      c.add(g(env, "--model", "allowed", "--model", env.badModel(name).toString()));
    }
    // budgets
    c.add(g(env, "--budget", "e.g. 0.05", "--budget", "money:0/day"));
    c.add(g(env, "--budget", "e.g. 0.05", "--budget", "money:-1/day"));
    c.add(g(env, "--budget", "one of hard (default), soft", "--budget", "money:1/day,hard,soft"));
    c.add(g(env, "--budget", "one of reject (default), shrink", "--budget", "tokens:100/call,reject,shrink"));
    c.add(g(env, "--budget", "dollars", "--budget", "dollars:5/day"));
    c.add(g(env, "--budget", "fortnight", "--budget", "money:1/fortnight"));
    c.add(g(env, "--budget", "<unit>:<limit>/<window>", "--budget", ""));
    c.add(g(env, "--budget", "whole number", "--budget", "tokens:1.5/day"));
    c.add(g(env, "--budget", "Mars", "--budget", "money:1/day@Mars/Base"));
    c.add(g(env, "--budget", "fractions in (0, 10]", "--budget", "money:1/day,alerts=20"));
    c.add(g(env, "--budget", "fractions in (0, 10]", "--budget", "money:1/day,alerts=x"));
    c.add(g(env, "--budget", "bogus", "--budget", "money:1/day,bogus"));
    // input
    c.add(g(env, "--input-ids", "allowed", "--input-ids", ""));
    c.add(g(env, "--input-ids", "allowed", "--input-ids", "1,,2"));
    c.add(g(env, "--input-ids", "allowed", "--input-ids", "1;;2"));
    c.add(g(env, "--input-ids", "allowed", "--input-ids", "a,b"));
    c.add(g(env, "--input-ids", "allowed 0 to 511", "--input-ids", "-1"));
    c.add(g(env, "--input-ids", "allowed 0 to 511", "--input-ids", "1,99999"));
    c.add(g(env, "--input-ids", "allowed", "--input-ids", "1,2;"));
    c.add(g(env, "--input-ids", "allowed", "--input-ids", "1," + "9".repeat(30)));
    c.add(g(env, "--prompt", "mutually exclusive", "--input-ids", "1", "--prompt", "hi"));
    c.add(g(env, "--prompt", "at least one character", "--prompt", ""));
    c.add(g(env, "--prompt", "at least one character", "--prompt", "ok", "--prompt", ""));
    c.add(g(env, "prompt", "context length", "--prompt", "Once upon a time ".repeat(400)));
    c.add(g(env, "--stop", "allowed 1 to 1000", "--stop", ""));
    c.add(g(env, "--stop", "allowed 1 to 1000", "--stop", "x".repeat(1001)));
    c.add(g(env, "--tenant", "allowed 1 to 256", "--tenant", ""));
    c.add(g(env, "--tenant", "allowed 1 to 256", "--tenant", "t".repeat(300)));
    // the command line itself
    c.add(g(env, "--bogus", "allowed", "--bogus"));
    c.add(g(env, "-x", "allowed", "-x"));
    c.add(g(env, "--max-new-tokens", "allowed", "--max-new-tokens"));
    c.add(g(env, "foo", "allowed", "foo"));
    c.add(g(env, "--model", "allowed", "--model", env.stories().toString(), "--model", env.stories().toString()));
    c.add(g(env, "--json", "allowed", "--json=maybe"));
    c.add(g(env, "--stream", "allowed", "--stream=2"));
    return c;
  }

  /** {@code args} with the stories model, the shared ledger and 2 new tokens unless {@code args} sets them. */
  private static Case g(Env env, String option, String range, String... args) {
    List<String> given = List.of(args);
    List<String> a = new ArrayList<>();
    if (!given.contains("--model")) {
      a.addAll(List.of("--model", env.stories().toString()));
    }
    if (!given.contains("--ledger")) {
      a.addAll(List.of("--ledger", env.ledger().toString()));
    }
    if (!given.contains("--max-new-tokens") && !given.contains("--max-length")) {
      a.addAll(List.of("--max-new-tokens", "2"));
    }
    a.addAll(given);
    return bad(option, range, a.toArray(String[]::new));
  }

  private static Path aFile(Env env) {
    Path f = env.work().resolve("not-a-dir.txt");
    try {
      if (!Files.exists(f)) {
        Files.writeString(f, "x");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return f;
  }
}
