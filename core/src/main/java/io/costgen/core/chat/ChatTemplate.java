package io.costgen.core.chat;

import io.costgen.core.chat.internal.JinjaEngine;
import io.costgen.core.chat.internal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A model's Jinja chat template, rendered exactly as transformers' {@code apply_chat_template}
 * renders it (jinja2 with {@code trim_blocks}, {@code lstrip_blocks}, loop controls,
 * {@code raise_exception}, {@code strftime_now}, a {@code json.dumps}-based {@code tojson}, Python
 * string methods), with the model's special-token variables ({@code bos_token},
 * {@code eos_token}, …).
 *
 * <p>Resolved like transformers ({@link #fromModelDirectory(Path)}): {@code chat_template.jinja},
 * else {@code chat_template} in {@code tokenizer_config.json} (a string, or a list of named
 * templates: {@code default}, {@code tool_use}, …), else {@code chat_template.json}; else a
 * {@link ChatTemplateException} naming the places it looked. With named templates,
 * {@code tool_use} is rendered when tools are given and {@code default} otherwise.
 *
 * <p>{@code strftime_now} reads the template's {@link Clock} ({@link #withClock}, default the
 * system clock in the default time zone). Immutable and thread-safe.
 */
public final class ChatTemplate {
  /** Origin of templates given as text without a name. */
  public static final String EXPLICIT = "explicit template";

  private final Map<String, String> templates;
  private final String origin;
  private final Map<String, Object> variables;
  private final Clock clock;

  private ChatTemplate(Map<String, String> templates, String origin, Map<String, Object> variables, Clock clock) {
    this.templates = Collections.unmodifiableMap(new LinkedHashMap<>(templates));
    this.origin = origin;
    this.variables = Collections.unmodifiableMap(new LinkedHashMap<>(variables));
    this.clock = clock;
  }

  /** A template given as Jinja source, without special-token variables. */
  public static ChatTemplate of(String source) {
    return of(source, EXPLICIT);
  }

  /** A template given as Jinja source; {@code origin} names it in errors (e.g. a file path). */
  public static ChatTemplate of(String source, String origin) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(origin, "origin");
    return new ChatTemplate(Map.of("default", source), origin, Map.of(), Clock.systemDefaultZone());
  }

  /**
   * Reads a template file (e.g. {@code chat_template.jinja}).
   *
   * @throws ChatTemplateException naming the file when it cannot be read
   */
  public static ChatTemplate fromFile(Path file) {
    Objects.requireNonNull(file, "file");
    try {
      return of(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    } catch (IOException e) {
      throw new ChatTemplateException("chat template: cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The chat template of a Hugging Face model folder, with its special-token variables (from
   * {@code tokenizer_config.json} and {@code special_tokens_map.json}).
   *
   * @throws ChatTemplateException naming every place it looked when the folder has no template,
   *     or the file that cannot be read
   */
  public static ChatTemplate fromModelDirectory(Path dir) {
    Optional<ChatTemplate> t = findInModelDirectory(dir);
    if (t.isEmpty()) {
      throw new ChatTemplateException("chat template: none found in " + dir + " (looked for chat_template.jinja, "
          + "\"chat_template\" in tokenizer_config.json and chat_template.json); give one explicitly "
          + "(TextGenerator.Builder.chatTemplate, ChatRequest.Builder.template, or --chat-template FILE)");
    }
    return t.get();
  }

  /** Like {@link #fromModelDirectory} but empty when the folder has no template. */
  @SuppressWarnings("unchecked")
  public static Optional<ChatTemplate> findInModelDirectory(Path dir) {
    Objects.requireNonNull(dir, "dir");
    Map<String, Object> vars = specialTokenVariables(dir);
    Path jinja = dir.resolve("chat_template.jinja");
    Map<String, String> templates = new LinkedHashMap<>();
    String origin = null;
    if (Files.isRegularFile(jinja)) {
      templates.put("default", read(jinja));
      origin = jinja.toString();
    } else {
      Path cfg = dir.resolve("tokenizer_config.json");
      Object ct = Files.isRegularFile(cfg) ? readJsonObject(cfg).get("chat_template") : null;
      if (ct == null) {
        cfg = dir.resolve("chat_template.json");
        ct = Files.isRegularFile(cfg) ? readJsonObject(cfg).get("chat_template") : null;
      }
      if (ct instanceof String s) {
        templates.put("default", s);
        origin = cfg.toString();
      } else if (ct instanceof List<?> list) {
        for (Object o : list) {
          if (o instanceof Map<?, ?> m && m.get("name") instanceof String n && m.get("template") instanceof String s) {
            templates.put(n, s);
          } else {
            throw new ChatTemplateException("chat_template in " + cfg + ": list entries must be "
                + "{\"name\": string, \"template\": string}");
          }
        }
        origin = cfg.toString();
      } else if (ct != null) {
        throw new ChatTemplateException("chat_template in " + cfg + ": must be a string or a list of named templates");
      }
    }
    if (templates.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new ChatTemplate(templates, origin, vars, Clock.systemDefaultZone()));
  }

  /**
   * The special-token variables of a model folder: {@code bos_token}, {@code eos_token},
   * {@code unk_token}, {@code pad_token}, … (strings) and {@code additional_special_tokens}
   * from {@code tokenizer_config.json}, overridden by {@code special_tokens_map.json}.
   */
  public static Map<String, Object> specialTokenVariables(Path dir) {
    Map<String, Object> vars = new LinkedHashMap<>();
    for (String file : List.of("tokenizer_config.json", "special_tokens_map.json")) {
      Path p = dir.resolve(file);
      if (!Files.isRegularFile(p)) {
        continue;
      }
      Map<String, Object> json = readJsonObject(p);
      for (Map.Entry<String, Object> e : json.entrySet()) {
        String k = e.getKey();
        if (k.endsWith("_token") && !k.startsWith("add_")) {
          String text = tokenText(e.getValue());
          if (text != null) {
            vars.put(k, text);
          }
        } else if (k.equals("additional_special_tokens") && e.getValue() instanceof List<?> l) {
          List<String> texts = new ArrayList<>();
          for (Object o : l) {
            String text = tokenText(o);
            if (text != null) {
              texts.add(text);
            }
          }
          vars.put(k, texts);
        }
      }
    }
    return vars;
  }

  private static String tokenText(Object v) {
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Map<?, ?> m && m.get("content") instanceof String s) {
      return s;
    }
    return null;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> readJsonObject(Path p) {
    Object o;
    try {
      o = Json.parse(read(p));
    } catch (IllegalArgumentException e) {
      throw new ChatTemplateException("chat template: " + p + " is not valid JSON: " + e.getMessage(), e);
    }
    if (!(o instanceof Map<?, ?>)) {
      throw new ChatTemplateException("chat template: " + p + " is not a JSON object");
    }
    return (Map<String, Object>) o;
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ChatTemplateException("chat template: cannot read " + p + ": " + e.getMessage(), e);
    }
  }

  /** This template with {@code vars} added to (and overriding) its variables. */
  public ChatTemplate withVariables(Map<String, ?> vars) {
    Map<String, Object> merged = new LinkedHashMap<>(variables);
    merged.putAll(vars);
    return new ChatTemplate(templates, origin, merged, clock);
  }

  /** This template reading {@code strftime_now} from {@code c}. */
  public ChatTemplate withClock(Clock c) {
    return new ChatTemplate(templates, origin, variables, Objects.requireNonNull(c, "clock"));
  }

  /** Where the template came from: a file path or {@link #EXPLICIT}. */
  public String origin() {
    return origin;
  }

  /** The template names ({@code default}, {@code tool_use}, …); a single template is {@code default}. */
  public List<String> names() {
    return List.copyOf(templates.keySet());
  }

  /** The Jinja source rendered for a call with or without tools. */
  public String source(boolean withTools) {
    if (withTools && templates.containsKey("tool_use")) {
      return templates.get("tool_use");
    }
    String d = templates.get("default");
    if (d != null) {
      return d;
    }
    if (templates.size() == 1) {
      return templates.values().iterator().next();
    }
    throw new ChatTemplateException(origin + ": several named chat templates " + templates.keySet()
        + " but none named \"default\"" + (withTools ? " or \"tool_use\"" : ""));
  }

  /** The model's variables (special tokens, …) given to every render. */
  public Map<String, Object> variables() {
    return variables;
  }

  /** The clock {@code strftime_now} reads. */
  public Clock clock() {
    return clock;
  }

  /**
   * Renders a conversation: {@code messages}, {@code tools} (None when empty), {@code documents}
   * (None), {@code add_generation_prompt}, this template's variables, then {@code extra} (which
   * override them).
   *
   * @throws TemplateRaisedException when the template calls {@code raise_exception}
   * @throws ChatTemplateException when the template does not compile or fails to evaluate
   */
  public String render(List<ChatMessage> messages, List<ToolSpecification> tools, boolean addGenerationPrompt,
      Map<String, ?> extra) {
    Map<String, Object> vars = new LinkedHashMap<>();
    vars.put("messages", TemplateValues.messages(messages));
    vars.put("tools", tools.isEmpty() ? null : TemplateValues.tools(tools));
    vars.put("documents", null);
    vars.put("add_generation_prompt", addGenerationPrompt);
    vars.putAll(extra);
    return render(vars, !tools.isEmpty());
  }

  /**
   * Renders with exactly these template variables (plus this template's own, which they
   * override): for OpenAI-shaped contexts read from JSON ({@code messages}, {@code tools},
   * {@code add_generation_prompt}, …).
   */
  public String renderVariables(Map<String, ?> vars) {
    Object tools = vars.get("tools");
    boolean withTools = tools instanceof List<?> l && !l.isEmpty();
    return render(vars, withTools);
  }

  private String render(Map<String, ?> vars, boolean withTools) {
    Map<String, Object> all = new LinkedHashMap<>(variables);
    all.putAll(vars);
    return JinjaEngine.get().render(source(withTools), all, clock, origin);
  }

  @Override
  public String toString() {
    return "ChatTemplate[" + origin + ", " + templates.keySet() + "]";
  }
}
