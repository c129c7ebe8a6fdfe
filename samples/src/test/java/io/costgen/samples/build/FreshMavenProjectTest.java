package io.costgen.samples.build;

import static org.assertj.core.api.Assertions.assertThat;

import io.costgen.core.testing.SharedModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new user's project: a pom that imports only {@code costgen-bom} and depends on
 * {@code costgen-core} and {@code costgen-onnx}, with README.md's first Java example (verbatim) as
 * its main method, is built by Maven and run with {@code java -jar}.
 *
 * <p>The costgen artifacts are the jars this reactor just packaged, installed into a temporary
 * local repository (with the parent and BOM poms); everything else comes from this build's own
 * local repository through a {@code file:} mirror, with Maven offline
 * ({@code -o -Daether.offline.protocols=file}): no network, and a project that needs anything the
 * build did not itself resolve fails. Needs {@code mvn package} or later (the reactor's jars), which
 * {@code mvn verify} (.ci/run) does.
 */
class FreshMavenProjectTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void bomAndTwoDependencies_compileAndRunTheReadmeExample(@TempDir Path dir) throws Exception {
    String version = required("costgen.version");
    Path buildRepo = Path.of(required("costgen.localRepository"));
    Path mvn = Path.of(required("costgen.maven.home"), "bin", "mvn");
    assertThat(mvn).as("mvn of the running build").isExecutable();

    Path repo = dir.resolve("repo");
    install(repo, "costgen-parent", version, ROOT.resolve("pom.xml"), null);
    install(repo, "costgen-bom", version, ROOT.resolve("bom/pom.xml"), null);
    for (String module : List.of("cost-api", "core", "onnx-backend")) {
      Path pom = ROOT.resolve(module).resolve("pom.xml");
      String artifactId = artifactId(pom);
      Path jar = ROOT.resolve(module).resolve("target").resolve(artifactId + "-" + version + ".jar");
      assertThat(jar).as(jar + " (run mvn package or verify: this test installs the reactor's jars)").isRegularFile();
      install(repo, artifactId, version, pom, jar);
    }

    Path project = dir.resolve("fresh");
    Files.createDirectories(project.resolve("src/main/java/example"));
    Files.writeString(project.resolve("pom.xml"), pom(version, repo), StandardCharsets.UTF_8);
    Files.writeString(project.resolve("src/main/java/example/Main.java"), mainClass(readmeExample()),
        StandardCharsets.UTF_8);
    Path settings = dir.resolve("settings.xml");
    Files.writeString(settings, settings(repo, buildRepo), StandardCharsets.UTF_8);

    Result build = run(project, dir, mvn.toString(), "-B", "-q", "-o", "-Daether.offline.protocols=file",
        "-s", settings.toString(), "package");
    assertThat(build.exit()).as("mvn package of the fresh project:\n" + build.output()).isZero();

    // The README opens models/stories260k relative to the working directory.
    Path models = Files.createDirectories(dir.resolve("work/models"));
    Path link = Files.createSymbolicLink(models.resolve("stories260k"),
        SharedModels.model(SharedModels.STORIES_260K).toAbsolutePath());
    Path jar = project.resolve("target/fresh-1.jar");
    Result app;
    try {
      app = run(dir.resolve("work"), dir,
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString());
    } finally {
      Files.delete(link);
    }
    assertThat(app.exit()).as("java -jar of the fresh project:\n" + app.output()).isZero();
    assertThat(app.output()).as(app.output()).contains("The weather today is")
        .containsPattern("\\$\\d");
  }

  private static String required(String property) {
    String v = System.getProperty(property);
    assertThat(v).as("system property " + property + " (set by samples/pom.xml for surefire)").isNotBlank();
    return v;
  }

  /** Copies a pom (and jar) into a Maven-2-layout local repository, as `mvn install` would. */
  private static void install(Path repo, String artifactId, String version, Path pom, Path jar) throws IOException {
    Path dir = repo.resolve("io/costgen").resolve(artifactId).resolve(version);
    Files.createDirectories(dir);
    Files.copy(pom, dir.resolve(artifactId + "-" + version + ".pom"), StandardCopyOption.REPLACE_EXISTING);
    if (jar != null) {
      Files.copy(jar, dir.resolve(artifactId + "-" + version + ".jar"), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static String artifactId(Path pom) throws IOException {
    String text = Files.readString(pom);
    Matcher m = Pattern.compile("<artifactId>([^<]+)</artifactId>").matcher(text.substring(text.indexOf("</parent>")));
    assertThat(m.find()).as(pom + " artifactId").isTrue();
    return m.group(1);
  }

  /** README.md's first ```java block: its imports, then its statements. */
  static String readmeExample() throws IOException {
    List<DocSnippetsCompileTest.Block> blocks = DocSnippetsCompileTest.blocks(ROOT.resolve("README.md"));
    assertThat(blocks).isNotEmpty();
    assertThat(blocks.get(0).declares()).as("the README's first example is a whole program body").isEmpty();
    return String.join("\n", blocks.get(0).lines());
  }

  static String mainClass(String example) {
    List<String> imports = new ArrayList<>();
    List<String> body = new ArrayList<>();
    for (String line : example.split("\n", -1)) {
      (line.startsWith("import ") && body.isEmpty() ? imports : body).add(line);
    }
    return "package example;\n\n" + String.join("\n", imports) + "\n\npublic class Main {\n"
        + "  public static void main(String[] args) throws Exception {\n" + String.join("\n", body)
        + "\n  }\n}\n";
  }

  private static String pom(String version, Path repo) {
    String prefix = repo.toUri().toString();
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <project xmlns="http://maven.apache.org/POM/4.0.0">
          <modelVersion>4.0.0</modelVersion>
          <groupId>example</groupId>
          <artifactId>fresh</artifactId>
          <version>1</version>
          <properties>
            <maven.compiler.release>17</maven.compiler.release>
            <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
          </properties>
          <dependencyManagement>
            <dependencies>
              <dependency>
                <groupId>io.costgen</groupId>
                <artifactId>costgen-bom</artifactId>
                <version>%s</version>
                <type>pom</type>
                <scope>import</scope>
              </dependency>
            </dependencies>
          </dependencyManagement>
          <dependencies>
            <dependency><groupId>io.costgen</groupId><artifactId>costgen-core</artifactId></dependency>
            <dependency><groupId>io.costgen</groupId><artifactId>costgen-onnx</artifactId></dependency>
            <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-simple</artifactId><version>%s</version><scope>runtime</scope></dependency>
          </dependencies>
          <build>
            <pluginManagement>
              <plugins>
                <plugin><artifactId>maven-resources-plugin</artifactId><version>%s</version></plugin>
                <plugin><artifactId>maven-compiler-plugin</artifactId><version>%s</version></plugin>
                <plugin><artifactId>maven-surefire-plugin</artifactId><version>%s</version></plugin>
              </plugins>
            </pluginManagement>
            <plugins>
              <plugin>
                <artifactId>maven-jar-plugin</artifactId>
                <version>%s</version>
                <configuration>
                  <archive>
                    <manifest>
                      <mainClass>example.Main</mainClass>
                      <addClasspath>true</addClasspath>
                      <classpathLayoutType>repository</classpathLayoutType>
                      <classpathPrefix>%s</classpathPrefix>
                    </manifest>
                  </archive>
                </configuration>
              </plugin>
            </plugins>
          </build>
        </project>
        """.formatted(version, required("costgen.slf4j.version"), pluginVersion("maven-resources-plugin"),
        pluginVersion("maven-compiler-plugin"), pluginVersion("maven-surefire-plugin"),
        pluginVersion("maven-jar-plugin"), prefix);
  }

  /** The version the reactor's parent pins, so the build's repository has the plugin. */
  private static String pluginVersion(String artifactId) {
    try {
      Matcher m = Pattern.compile("<artifactId>" + artifactId + "</artifactId>\\s*<version>([^<]+)</version>")
          .matcher(Files.readString(ROOT.resolve("pom.xml")));
      assertThat(m.find()).as(artifactId + " version in the parent pom").isTrue();
      return m.group(1);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String settings(Path repo, Path buildRepo) {
    return """
        <settings xmlns="http://maven.apache.org/SETTINGS/1.0.0">
          <localRepository>%s</localRepository>
          <mirrors>
            <mirror>
              <id>build-repository</id>
              <mirrorOf>*</mirrorOf>
              <url>%s</url>
            </mirror>
          </mirrors>
        </settings>
        """.formatted(repo, buildRepo.toUri());
  }

  record Result(int exit, String output) {}

  private static Result run(Path cwd, Path tmp, String... command) throws IOException, InterruptedException {
    Path log = Files.createTempFile(tmp, "run", ".log");
    ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().remove("MAVEN_OPTS");
    Process p = pb.start();
    if (!p.waitFor(8, TimeUnit.MINUTES)) {
      p.destroyForcibly().waitFor();
      throw new AssertionError(String.join(" ", command) + " still running after 8 minutes:\n" + Files.readString(log));
    }
    return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }
}
