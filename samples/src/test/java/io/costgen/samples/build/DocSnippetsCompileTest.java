package io.costgen.samples.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ```java} block of README.md and docs/*.md compiles, as written, against the published
 * modules (this module's test class path holds all of them).
 *
 * <p>A block is Java a user can paste: its {@code import} lines first, then either whole type
 * declarations with a {@code public} top-level type (a compilation unit) or statements (local
 * classes and interfaces included). Statements are wrapped in a method of a class of their own. Variables a block uses without creating them are declared by a marker on the line
 * right before the fence: {@code <!-- fragment: declares OnnxBackend backend; Path modelDir -->}
 * (types use the block's own imports or {@code java.lang}). Nothing else is added: no implicit
 * imports. A failure names the Markdown file and line of the offending block line.
 */
class DocSnippetsCompileTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern FRAGMENT = Pattern.compile("<!--\\s*fragment:\\s*declares\\s+(.*?)\\s*-->");
    private static final Pattern TYPE_DECLARATION = Pattern.compile(
            "^public\\s+(final\\s+|abstract\\s+|sealed\\s+)*(class|interface|record|enum)\\s+\\w+", Pattern.MULTILINE);

    /** One ```java block of a Markdown file. */
    record Block(Path file, int firstLine, String declares, List<String> lines) {}

    /** The generated source of one block with the line its body starts at. */
    record Unit(Block block, String className, String source, int bodyLine, int importCount) {
        /** Markdown line of a line of the generated source (1-based). */
        int markdownLine(long sourceLine) {
            long index; // 0-based index in block.lines()
            if (sourceLine <= 1 + importCount) {
                index = sourceLine - 2;             // line 1 is the package line, imports follow
            } else {
                index = importCount + (sourceLine - bodyLine);
            }
            index = Math.max(0, Math.min(index, block.lines().size() - 1));
            return (int) (block.firstLine() + index);
        }
    }

    @Test
    void everyJavaBlockInTheReadmeAndDocsCompiles(@TempDir Path out) throws IOException {
        List<Block> blocks = new ArrayList<>(blocks(ROOT.resolve("README.md")));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            for (Path doc : docs.filter(p -> p.toString().endsWith(".md")).sorted().collect(Collectors.toList())) {
                blocks.addAll(blocks(doc));
            }
        }
        assertThat(blocks).as("java blocks found in README.md and docs/*.md").hasSizeGreaterThan(10);

        List<Unit> units = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            units.add(unit(blocks.get(i), "Snippet" + i));
        }
        List<String> errors = compile(units, out);
        assertThat(errors).as("README/docs java blocks that do not compile").isEmpty();
    }

    @Test
    void aBrokenBlockIsReportedWithItsFileAndLine(@TempDir Path dir) throws IOException {
        Path md = dir.resolve("broken.md");
        Files.writeString(md, String.join("\n",
                "# title",
                "",
                "<!-- fragment: declares String name -->",
                "```java",
                "import java.util.List;",
                "",
                "List<String> names = List.of(name);",
                "int n = names.sizee();",
                "```",
                ""));
        List<Block> blocks = blocks(md);
        assertThat(blocks).hasSize(1);
        assertThat(blocks.get(0).declares()).isEqualTo("String name");
        List<String> errors = compile(List.of(unit(blocks.get(0), "Broken")), dir.resolve("out"));
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).startsWith(md + ":8: ").contains("sizee");
    }

    @Test
    void importsMustLeadTheBlockAndUndeclaredVariablesFail(@TempDir Path dir) throws IOException {
        Path md = dir.resolve("undeclared.md");
        Files.writeString(md, "```java\nimport java.util.List;\nList<String> copy = List.copyOf(names);\n```\n");
        List<String> errors = compile(List.of(unit(blocks(md).get(0), "Undeclared")), dir.resolve("out"));
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).contains("undeclared.md:3:").contains("names");

        Path missingImport = dir.resolve("noimport.md");
        Files.writeString(missingImport, "```java\nPath p = Path.of(\"x\");\n```\n");
        List<String> more = compile(List.of(unit(blocks(missingImport).get(0), "NoImport")), dir.resolve("out2"));
        assertThat(more).isNotEmpty().allSatisfy(e -> assertThat(e).contains("noimport.md:2:"));
    }

    static List<Block> blocks(Path md) {
        List<String> lines;
        try {
            lines = Files.readAllLines(md, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Block> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).strip().equals("```java")) {
                continue;
            }
            String declares = "";
            if (i > 0) {
                Matcher m = FRAGMENT.matcher(lines.get(i - 1));
                if (m.find()) {
                    declares = m.group(1);
                }
            }
            int start = i + 1;
            int end = start;
            while (end < lines.size() && !lines.get(end).strip().equals("```")) {
                end++;
            }
            if (end == lines.size()) {
                throw new AssertionError(md + ":" + (i + 1) + ": ```java block is never closed");
            }
            out.add(new Block(md, start + 1, declares, List.copyOf(lines.subList(start, end))));
            i = end;
        }
        return out;
    }

    static Unit unit(Block block, String className) {
        List<String> lines = block.lines();
        int imports = 0;
        while (imports < lines.size()
                && (lines.get(imports).startsWith("import ") || lines.get(imports).isBlank())) {
            imports++;
        }
        String pkg = "snippets";
        StringBuilder src = new StringBuilder("package " + pkg + ";\n");
        for (int i = 0; i < imports; i++) {
            src.append(lines.get(i)).append('\n');
        }
        String body = String.join("\n", lines.subList(imports, lines.size()));
        int bodyLine;
        if (TYPE_DECLARATION.matcher(body).find()) {
            bodyLine = imports + 2;
            src.append(body).append('\n');
            className = firstTypeName(body);
        } else {
            List<String> params = new ArrayList<>();
            for (String d : block.declares().split(";")) {
                if (!d.isBlank()) {
                    params.add(d.strip());
                }
            }
            src.append("@SuppressWarnings(\"all\") class ").append(className).append(" {\n");
            src.append("  void snippet(").append(String.join(", ", params)).append(") throws Exception {\n");
            bodyLine = imports + 4;
            src.append(body).append("\n  }\n}\n");
        }
        return new Unit(block, className, src.toString(), bodyLine, imports);
    }

    private static String firstTypeName(String body) {
        Matcher m = Pattern.compile("(class|interface|record|enum)\\s+(\\w+)").matcher(body);
        if (!m.find()) {
            throw new IllegalStateException(body);
        }
        return m.group(2);
    }

    /** Compiles each unit in its own package; returns one "file:line: message" per error. */
    static List<String> compile(List<Unit> units, Path out) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac).as("a JDK compiler (run the tests on a JDK, not a JRE)").isNotNull();
        Files.createDirectories(out);
        List<JavaFileObject> sources = new ArrayList<>();
        List<Unit> byIndex = new ArrayList<>();
        for (int i = 0; i < units.size(); i++) {
            Unit u = units.get(i);
            String pkg = "snippets.s" + i;
            String source = u.source().replaceFirst("^package snippets;", "package " + pkg + ";");
            URI uri = URI.create("string:///" + pkg.replace('.', '/') + "/" + u.className() + ".java");
            sources.add(new SimpleJavaFileObject(uri, JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return source;
                }
            });
            byIndex.add(u);
        }
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            List<String> options = List.of("-classpath", classPath, "-d", out.toString(),
                    "-proc:none", "--release", "17", "-Xmaxerrs", "1000");
            javac.getTask(null, files, diagnostics, options, null, sources).call();
        }
        List<String> errors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() != Diagnostic.Kind.ERROR) {
                continue;
            }
            String where = "(no source)";
            if (d.getSource() != null) {
                int index = sources.indexOf(d.getSource());
                Unit u = byIndex.get(index);
                Path file = u.block().file();
                where = (file.startsWith(ROOT) ? ROOT.relativize(file) : file) + ":" + u.markdownLine(d.getLineNumber());
            }
            errors.add(where + ": " + d.getMessage(Locale.ROOT).strip().replaceAll("\\s*\\R\\s*", " | "));
        }
        return errors;
    }
}
