package io.costgen.core.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.costgen.core.chat.internal.Json;
import io.costgen.core.testing.SharedModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every (template, context) pair of ../shared/chat-templates against its jinja2 golden, byte for byte. */
class ChatTemplateCorpusTest {
  /** The corpus's frozen clock: 2026-07-26 00:00:00. */
  static final Clock FROZEN = Clock.fixed(LocalDateTime.of(2026, 7, 26, 0, 0).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);

  /** Which set the cases come from: the shared corpus, or this module's own families (ChatML, Llama 3, Qwen, Phi, Gemma). */
  static final ThreadLocal<Path> SET = new ThreadLocal<>();

  static Path corpus() {
    if (SET.get() != null) {
      return SET.get();
    }
    Path p = SharedModels.sharedDir().resolve("chat-templates");
    if (!Files.isDirectory(p.resolve("goldens"))) {
      throw new AssertionError("chat-template corpus missing: " + p);
    }
    return p;
  }

  record Case(String template, String context, Path templateFile, Path contextFile, Path golden, boolean error) {
    String name() {
      return template + "__" + context;
    }
  }

  static List<Case> cases() throws IOException {
    Path c = corpus();
    List<Case> out = new ArrayList<>();
    try (Stream<Path> ts = Files.list(c.resolve("templates")); Stream<Path> cs0 = Files.list(c.resolve("contexts"))) {
      List<Path> contexts = cs0.sorted().toList();
      for (Path t : ts.sorted().toList()) {
        String tn = t.getFileName().toString().replaceAll("\\.jinja$", "");
        for (Path cx : contexts) {
          String cn = cx.getFileName().toString().replaceAll("\\.json$", "");
          Path txt = c.resolve("goldens").resolve(tn + "__" + cn + ".txt");
          Path err = c.resolve("goldens").resolve(tn + "__" + cn + ".error");
          boolean isErr = Files.exists(err);
          out.add(new Case(tn, cn, t, cx, isErr ? err : txt, isErr));
        }
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> variables(Case k) throws IOException {
    Map<String, Object> vars = new LinkedHashMap<>(
        (Map<String, Object>) Json.parse(Files.readString(k.contextFile(), StandardCharsets.UTF_8)));
    Map<String, Object> special = (Map<String, Object>) Json.parse(
        Files.readString(corpus().resolve("special_tokens.json"), StandardCharsets.UTF_8));
    if (special.containsKey(k.template())) {
      vars.putAll((Map<String, Object>) special.get(k.template()));
    }
    vars.putIfAbsent("tools", null);
    vars.put("documents", null);
    return vars;
  }

  static ChatTemplate template(Case k) throws IOException {
    return ChatTemplate.of(Files.readString(k.templateFile(), StandardCharsets.UTF_8), k.templateFile().toString())
        .withClock(FROZEN);
  }

  /** The context's JSON values as they are (transformers passes the dicts through). */
  static String render(Case k) throws IOException {
    return template(k).renderVariables(variables(k));
  }

  /** The same context through the typed API: ChatContext -> ChatMessage/ToolSpecification -> render. */
  @SuppressWarnings("unchecked")
  static String renderTyped(Case k) throws IOException {
    ChatContext ctx = ChatContext.parse(Files.readString(k.contextFile(), StandardCharsets.UTF_8));
    Map<String, Object> extra = new LinkedHashMap<>(ctx.variables());
    Map<String, Object> special = (Map<String, Object>) Json.parse(
        Files.readString(corpus().resolve("special_tokens.json"), StandardCharsets.UTF_8));
    if (special.containsKey(k.template())) {
      extra.putAll((Map<String, Object>) special.get(k.template()));
    }
    return template(k).render(ctx.messages(), ctx.tools(), ctx.addGenerationPrompt(), extra);
  }

  @TestFactory
  Stream<DynamicTest> everyGolden() throws IOException {
    return cases().stream().map(k -> DynamicTest.dynamicTest(k.name(), () -> {
      String golden = Files.readString(k.golden(), StandardCharsets.UTF_8);
      if (k.error()) {
        String expected = golden.strip();
        if (expected.startsWith("TemplateError: ")) {
          assertThatThrownBy(() -> render(k)).isInstanceOf(TemplateRaisedException.class)
              .hasMessage(expected.substring("TemplateError: ".length()));
          assertThatThrownBy(() -> renderTyped(k)).isInstanceOf(TemplateRaisedException.class)
              .hasMessage(expected.substring("TemplateError: ".length()));
        } else {
          assertThatThrownBy(() -> render(k)).isInstanceOf(ChatTemplateException.class)
              .isNotInstanceOf(TemplateRaisedException.class);
          assertThatThrownBy(() -> renderTyped(k)).isInstanceOf(ChatTemplateException.class);
        }
      } else {
        assertThat(render(k)).isEqualTo(golden);
        assertThat(renderTyped(k)).isEqualTo(golden);
      }
    }));
  }

  /** Own cases: templates written here in the style of each family, goldens rendered by render_goldens.py (jinja2 3.1.6). */
  @TestFactory
  Stream<DynamicTest> ownFamilies() throws Exception {
    Path own = java.nio.file.Paths.get(ChatTemplateCorpusTest.class.getResource("/chat/own-corpus/special_tokens.json").toURI())
        .getParent();
    SET.set(own);
    try {
      List<DynamicTest> tests = new ArrayList<>();
      for (Case k : cases()) {
        String golden = Files.readString(k.golden(), StandardCharsets.UTF_8);
        Map<String, Object> vars = variables(k);
        ChatTemplate t = template(k);
        tests.add(DynamicTest.dynamicTest(k.name(), () -> {
          if (k.error()) {
            assertThatThrownBy(() -> t.renderVariables(vars)).isInstanceOf(TemplateRaisedException.class)
                .hasMessage(golden.strip().substring("TemplateError: ".length()));
          } else {
            assertThat(t.renderVariables(vars)).isEqualTo(golden);
          }
        }));
      }
      assertThat(tests).hasSize(20);
      return tests.stream();
    } finally {
      SET.remove();
    }
  }

  @Test
  void corpusHasAllHundredPairs() throws IOException {
    assertThat(cases()).hasSize(100);
  }
}
