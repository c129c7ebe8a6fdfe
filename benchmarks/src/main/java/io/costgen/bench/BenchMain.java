package io.costgen.bench;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import io.costgen.bench.internal.BenchModels;
import io.costgen.bench.internal.BenchRun;
import io.costgen.bench.internal.JlamaSuite;
import io.costgen.bench.internal.Plan;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The benchmark command: costgen's decode loop against a hand-written ONNX Runtime loop, the
 * memory roofline, the cost model, thread settings and the cost overhead, printed as markdown
 * and written to a file.
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/costgen-bench.jar [--quick] [--out BENCHMARKS-results.md]
 * </pre>
 *
 * <p>Each configuration runs in a fresh child JVM (so peak RSS is its own). The ~124M synthetic
 * models are generated on first use into {@code --cache-dir} (about 2 GB for both models in both
 * layouts). See {@code BENCHMARKS.md}.
 */
@Command(name = "costgen-bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Benchmarks costgen's generation loop against a hand-written ONNX Runtime loop.")
public final class BenchMain implements Callable<Integer> {

  @Option(names = "--quick", description = "Smoke run (under 3 minutes): fewer tokens and rounds, no Llama model.")
  boolean quick;

  @Option(names = "--out", paramLabel = "FILE", description = "Markdown output file (default: ${DEFAULT-VALUE}).")
  Path out = Path.of("BENCHMARKS-results.md");

  @Option(names = "--shared", paramLabel = "DIR",
      description = "The shared folder holding models/stories260k etc. (default: $COSTGEN_SHARED_DIR, else a"
          + " shared/ folder above the working directory).")
  Path shared;

  @Option(names = "--cache-dir", paramLabel = "DIR",
      description = "Where the synthetic models are generated on first use (default: ~/.cache/costgen/bench-models).")
  Path cacheDir;

  @Option(names = "--provider", paramLabel = "cpu|cuda", description = "Execution provider (default: ${DEFAULT-VALUE}).")
  String provider = "cpu";

  @Option(names = "--suites", split = ",", paramLabel = "NAME",
      description = "Suites to run, comma-separated: small, overhead, decode, memory, threads, budget, jlama, quant, staggered (default: all).")
  List<String> suites;

  @Option(names = "--jlama-java", paramLabel = "FILE",
      description = "java launcher of Java 21+ for the jlama suite (default: $COSTGEN_JLAMA_JAVA, else"
          + " /usr/lib/jvm/temurin-25-jdk-amd64/bin/java, else any JDK 21+ under /usr/lib/jvm).")
  Path jlamaJava;

  @Option(names = "--jlama-driver", paramLabel = "FILE",
      description = "The Jlama driver jar (default: benchmarks/jlama-driver/target/costgen-jlama-driver.jar;"
          + " build it with Java 21+: mvn -f benchmarks/jlama-driver/pom.xml package).")
  Path jlamaDriver;

  @Option(names = "--jfr", paramLabel = "DIR", description = "Record a JFR profile of every child JVM into DIR.")
  Path jfr;

  @Option(names = "--child-jvm-arg", paramLabel = "ARG",
      description = "Extra JVM option for every child (repeatable; default heap -Xmx1g).")
  List<String> childJvmArgs = new ArrayList<>();

  private final String[] args;

  private BenchMain(String[] args) {
    this.args = args;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchMain(args)).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (!provider.equals("cpu") && !provider.equals("cuda")) {
      System.err.println("--provider: '" + provider + "' is not one of cpu, cuda");
      return 2;
    }
    if (provider.equals("cuda") && !OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
      System.err.println("--provider cuda: the CUDA execution provider is not available in this ONNX Runtime"
          + " (available: " + OrtEnvironment.getAvailableProviders() + "). Build with the onnxruntime_gpu"
          + " artifact instead of onnxruntime and run on a machine with an NVIDIA GPU and CUDA libraries.");
      return 2;
    }
    Set<String> selected = new LinkedHashSet<>(suites == null ? BenchRun.SUITES : suites);
    for (String s : selected) {
      if (!BenchRun.SUITES.contains(s)) {
        System.err.println("--suites: '" + s + "' is not one of " + BenchRun.SUITES);
        return 2;
      }
    }
    List<String> jvm = new ArrayList<>();
    if (childJvmArgs.stream().noneMatch(a -> a.startsWith("-Xmx"))) {
      jvm.add("-Xmx1g");
    }
    jvm.addAll(childJvmArgs);
    String command = "java -jar benchmarks/target/costgen-bench.jar" + (args.length == 0 ? "" : " " + String.join(" ", args));
    BenchRun.Options options = new BenchRun.Options(command, quick ? Plan.quick() : Plan.full(),
        cacheDir != null ? cacheDir : BenchModels.defaultCacheDir(), shared, provider, selected, jvm,
        jfr == null ? null : jfr.toAbsolutePath(), new JlamaSuite.Locations(jlamaJava, jlamaDriver));
    String markdown = new BenchRun(options, System.err).execute();
    System.out.print(markdown);
    System.out.flush();
    Path parent = out.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(out, markdown, StandardCharsets.UTF_8);
    System.err.println("Wrote " + out.toAbsolutePath());
    return 0;
  }
}
