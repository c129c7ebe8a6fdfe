package io.costgen.samples.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.costgen.core.GenerationConfig;
import io.costgen.core.TextGenerator;
import io.costgen.core.Tokenizer;
import io.costgen.core.chat.ChatContext;
import io.costgen.core.chat.ChatMessage;
import io.costgen.core.chat.ChatRequest;
import io.costgen.core.chat.ChatResult;
import io.costgen.core.chat.ChatTemplate;
import io.costgen.core.chat.ChatTemplateException;
import io.costgen.core.chat.TemplateRaisedException;
import io.costgen.core.chat.ToolCall;
import io.costgen.core.chat.ToolSpecification;
import io.costgen.cost.CallContext;
import io.costgen.cost.CostComparison;
import io.costgen.cost.Money;
import io.costgen.cost.meter.JsonLinesLedger;
import io.costgen.onnx.OnnxBackend;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code costgen chat}: renders a conversation with the model's chat template (or
 * {@code --chat-template}), generates the assistant's reply and prints it with its usage and
 * cost; {@code --render-only} prints the prompt (and its token ids with {@code --json}) without
 * generating. Without {@code --messages}/{@code --user} on a terminal it runs an interactive
 * conversation with the running cost per turn. Every {@code generate} option applies.
 */
@Command(name = "chat", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Chat with an ONNX decoder through its chat template and report usage and cost.")
final class ChatCommand implements Callable<Integer> {
  static final int MAX_TEXT_CHARS = 1_000_000;

  @Spec CommandSpec spec;

  @Mixin ModelOption modelOption;

  static final class Input {
    @Option(names = "--messages", paramLabel = "FILE", required = true,
        description = "Conversation file: {\"messages\":[...], \"tools\":[...], \"add_generation_prompt\": true,"
            + " other keys = template variables} (OpenAI message shape). Default: none.")
    Path messages;

    @ArgGroup(exclusive = false)
    Turn turn;
  }

  static final class Turn {
    @Option(names = "--user", paramLabel = "TEXT", required = true, description = "One user message. Default: none.")
    String user;
    @Option(names = "--system", paramLabel = "TEXT", description = "A system message before it. Default: none.")
    String system;
  }

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Input input;

  @Option(names = "--tools", paramLabel = "FILE",
      description = "Tools the model may call: a JSON array of OpenAI tools, or {\"tools\":[...]}. Default: none"
          + " (or the --messages file's).")
  Path tools;
  @Option(names = "--chat-template", paramLabel = "FILE",
      description = "Jinja chat template to use instead of the model's. Default: the model's (chat_template.jinja,"
          + " else tokenizer_config.json).")
  Path chatTemplate;
  @Option(names = "--var", paramLabel = "NAME=VALUE",
      description = "Extra template variable (VALUE as JSON if it parses, else text), e.g. enable_thinking=false;"
          + " repeatable. Default: none.")
  List<String> vars;
  @Option(names = "--date", paramLabel = "YYYY-MM-DD",
      description = "Date strftime_now renders (UTC midnight). Default: today.")
  String date;
  @Option(names = "--no-generation-prompt",
      description = "Do not open the assistant's turn (add_generation_prompt=false). Default: open it.")
  boolean noGenerationPrompt;
  @Option(names = "--render-only",
      description = "Print the rendered prompt (with --json: {\"prompt\":…,\"tokenIds\":[…]}) and generate nothing.")
  boolean renderOnly;

  @Mixin GenerationOptions generation;
  @Mixin RuntimeOptions runtime;
  @Mixin CostOptions costs;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    modelOption.check();
    runtime.check();
    generation.check();
    costs.check();
    Clock clock = clock();
    ChatContext context = conversation();
    Map<String, Object> variables = new LinkedHashMap<>(context == null ? Map.of() : context.variables());
    variables.putAll(parseVars());
    List<ToolSpecification> toolList = toolList(context);
    boolean interactive = context == null;
    if (interactive && System.console() == null) {
      throw new IllegalArgumentException("--user: required when stdin is not a terminal; allowed: --user TEXT"
          + " or --messages FILE (interactive mode needs a terminal)");
    }
    GenerationConfig config = generation.config(spec);
    Path dir = ModelLocator.locate(modelOption.model, err);
    try (Tokenizer tokenizer = RuntimeOptions.openTokenizer(dir)) {
      if (tokenizer == null) {
        throw new IllegalArgumentException("--model: " + dir + " has no tokenizer.json; allowed: a model folder"
            + " with a Hugging Face tokenizer");
      }
      ChatTemplate template = template(dir).withClock(clock);
      if (renderOnly && context != null) {
        ChatRequest request = request(context.messages(), toolList, variables, !noGenerationPrompt
            && context.addGenerationPrompt(), config, costs.context(), template);
        String prompt = render(template, request);
        if (runtime.json) {
          ObjectNode root = Json.object();
          root.put("prompt", prompt);
          ArrayNode ids = root.putArray("tokenIds");
          for (long id : tokenizer.encode(prompt, false)) {
            ids.add(id);
          }
          out.println(Json.write(root));
        } else {
          out.println(prompt);
        }
        return 0;
      }
      try (OnnxBackend backend = RuntimeOptions.openBackend(runtime.backendBuilder(dir), dir);
          JsonLinesLedger ledger = costs.ledger == null ? null : JsonLinesLedger.open(costs.ledger)) {
        CallContext callContext = costs.context();
        TextGenerator.Builder gb = TextGenerator.builder(backend).tokenizer(tokenizer).costModel(costs.costModel())
            .chatTemplate(template);
        if (costs.budgets != null && !costs.budgets.isEmpty()) {
          gb.budgets(CliBudgets.create(costs.budgets, costs.ledger, callContext, backend.modelInfo().name(),
              Clock.systemUTC()));
        }
        if (ledger != null) {
          gb.meter(ledger);
        }
        TextGenerator generator = gb.build();
        if (interactive) {
          return interactive(generator, toolList, variables, config, callContext, template, out);
        }
        ChatRequest request = request(context.messages(), toolList, variables, !noGenerationPrompt
            && context.addGenerationPrompt(), config, callContext, template);
        ChatResult result = run(generator, request, out);
        costs.saveCorrections();
        List<CostComparison.Entry> compared = costs.compared(result.usage());
        if (runtime.json) {
          ObjectNode root = GenerateCommand.toJson(result.generation());
          costs.addToJson(root, compared);
          root.set("message", messageJson(result));
          out.println(Json.write(root));
        } else {
          printReply(out, result);
          GenerateCommand.printUsage(out, result.generation());
          costs.printText(out, compared);
        }
      }
    }
    return 0;
  }

  private ChatResult run(TextGenerator generator, ChatRequest request, PrintWriter out) {
    ChatRequest r = request;
    if (runtime.stream && !runtime.json) {
      r = request.toBuilder().onToken(t -> {
        out.print(t.text());
        out.flush();
      }).build();
    }
    try {
      return generator.chat(r);
    } catch (io.costgen.core.PromptTooLongException e) {
      throw new IllegalArgumentException("--messages, --max-new-tokens: " + e.getMessage()
          + "; allowed: prompt tokens + new tokens up to " + e.contextLength(), e);
    } catch (TemplateRaisedException e) {
      throw new IllegalArgumentException("--messages: the chat template refused the conversation: " + e.getMessage(), e);
    } catch (ChatTemplateException e) {
      throw new IllegalArgumentException("--chat-template: " + CostgenCli.oneLine(e.getMessage()), e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(OptionNames.cliMessage(e.getMessage(), spec), e);
    }
  }

  private String render(ChatTemplate template, ChatRequest request) {
    try {
      return template.render(request.messages(), request.tools(), request.addGenerationPrompt(), request.variables());
    } catch (TemplateRaisedException e) {
      throw new IllegalArgumentException("--messages: the chat template refused the conversation: " + e.getMessage(), e);
    } catch (ChatTemplateException e) {
      throw new IllegalArgumentException("--chat-template: " + CostgenCli.oneLine(e.getMessage()), e);
    }
  }

  private int interactive(TextGenerator generator, List<ToolSpecification> toolList, Map<String, Object> variables,
      GenerationConfig config, CallContext callContext, ChatTemplate template, PrintWriter out) throws IOException {
    List<ChatMessage> conversation = new ArrayList<>();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    Money total = null;
    long tokens = 0;
    out.println("costgen chat: type a message, an empty line or Ctrl-D ends the conversation.");
    while (true) {
      out.print("> ");
      out.flush();
      String line = in.readLine();
      if (line == null || line.isBlank()) {
        return 0;
      }
      conversation.add(ChatMessage.user(line));
      ChatRequest request = request(conversation, toolList, variables, true, config, callContext, template);
      ChatResult r;
      try {
        r = run(generator, request, out);
      } catch (IllegalArgumentException e) {
        out.println("error: " + CostgenCli.oneLine(e.getMessage()));
        conversation.remove(conversation.size() - 1);
        continue;
      }
      if (runtime.stream) {
        out.println();
      } else {
        printReply(out, r);
      }
      conversation.add(r.message());
      total = total == null ? r.cost().money() : total.plus(r.cost().money());
      tokens += r.usage().promptTokens() + r.usage().completionTokens();
      out.printf(Locale.ROOT, "[turn: %d + %d tokens, %s; conversation: %d tokens, %s]%n", r.usage().promptTokens(),
          r.usage().completionTokens(), r.cost().money(), tokens, total);
    }
  }

  private static ChatRequest request(List<ChatMessage> messages, List<ToolSpecification> toolList,
      Map<String, Object> variables, boolean addGenerationPrompt, GenerationConfig config, CallContext context,
      ChatTemplate template) {
    return ChatRequest.builder().messages(messages).tools(toolList).variables(variables)
        .addGenerationPrompt(addGenerationPrompt).config(config).context(context).template(template).build();
  }

  private static void printReply(PrintWriter out, ChatResult r) {
    out.println(r.text());
    for (ToolCall c : r.message().toolCalls()) {
      out.printf(Locale.ROOT, "tool call %s: %s(%s)%n", c.id(), c.name(), c.argumentsJson());
    }
    if (r.toolCallsMalformed()) {
      out.println("(the reply looked like a tool call but could not be parsed; shown as text)");
    }
  }

  static ObjectNode messageJson(ChatResult r) {
    ObjectNode m = Json.object();
    m.put("role", "assistant");
    m.put("content", r.text());
    ArrayNode calls = m.putArray("toolCalls");
    for (ToolCall c : r.message().toolCalls()) {
      ObjectNode n = calls.addObject();
      n.put("id", c.id());
      n.put("name", c.name());
      n.put("arguments", c.argumentsJson());
    }
    m.put("toolCallsMalformed", r.toolCallsMalformed());
    return m;
  }

  private ChatTemplate template(Path dir) {
    try {
      if (chatTemplate != null) {
        if (!Files.isRegularFile(chatTemplate)) {
          throw new IllegalArgumentException("--chat-template: " + chatTemplate + " is not a file; allowed: a Jinja"
              + " chat template file");
        }
        Path modelDir = Files.isDirectory(dir) ? dir : dir.toAbsolutePath().getParent();
        return ChatTemplate.fromFile(chatTemplate).withVariables(ChatTemplate.specialTokenVariables(modelDir));
      }
      return ChatTemplate.fromModelDirectory(Files.isDirectory(dir) ? dir : dir.toAbsolutePath().getParent());
    } catch (ChatTemplateException e) {
      throw new IllegalArgumentException("--chat-template: " + CostgenCli.oneLine(e.getMessage()), e);
    }
  }

  /** The conversation from --messages or --user/--system; null for interactive mode. */
  private ChatContext conversation() {
    if (input == null) {
      return null;
    }
    if (input.messages != null) {
      String text = readFile("--messages", input.messages);
      try {
        return ChatContext.parse(text);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--messages: " + CostgenCli.oneLine(e.getMessage()), e);
      }
    }
    List<ChatMessage> messages = new ArrayList<>();
    if (input.turn.system != null) {
      OptionChecks.text("--system", input.turn.system, MAX_TEXT_CHARS);
      messages.add(ChatMessage.system(input.turn.system));
    }
    OptionChecks.text("--user", input.turn.user, MAX_TEXT_CHARS);
    messages.add(ChatMessage.user(input.turn.user));
    return new ChatContext(messages, List.of(), true, Map.of());
  }

  private List<ToolSpecification> toolList(ChatContext context) {
    if (tools == null) {
      return context == null ? List.of() : context.tools();
    }
    String text = readFile("--tools", tools).strip();
    String wrapped = text.startsWith("[") ? "{\"messages\":[{\"role\":\"user\",\"content\":\"\"}],\"tools\":" + text + "}"
        : text;
    try {
      Object parsed = io.costgen.core.chat.internal.Json.parse(text);
      if (!(parsed instanceof List<?>) && !(parsed instanceof Map<?, ?> m && m.containsKey("tools"))) {
        throw new IllegalArgumentException("expected a JSON array of tools or {\"tools\": [...]}");
      }
      if (parsed instanceof Map<?, ?>) {
        wrapped = "{\"messages\":[{\"role\":\"user\",\"content\":\"\"}],\"tools\":"
            + io.costgen.core.chat.internal.Json.compact(((Map<?, ?>) parsed).get("tools")) + "}";
      }
      return ChatContext.parse(wrapped).tools();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--tools: " + CostgenCli.oneLine(e.getMessage()), e);
    }
  }

  private Map<String, Object> parseVars() {
    Map<String, Object> out = new LinkedHashMap<>();
    if (vars == null) {
      return out;
    }
    for (String v : vars) {
      int eq = v.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--var: '" + OptionChecks.clip(v) + "' is not NAME=VALUE; allowed: e.g."
            + " enable_thinking=false");
      }
      String name = v.substring(0, eq);
      if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
        throw new IllegalArgumentException("--var: '" + OptionChecks.clip(name) + "' is not a variable name; allowed:"
            + " letters, digits and _, not starting with a digit");
      }
      if (name.equals("messages") || name.equals("tools") || name.equals("documents")
          || name.equals("add_generation_prompt")) {
        throw new IllegalArgumentException("--var: '" + name + "' is reserved; allowed: any other name (use"
            + " --messages, --tools, --no-generation-prompt)");
      }
      String value = v.substring(eq + 1);
      Object parsed;
      try {
        parsed = io.costgen.core.chat.internal.Json.parse(value);
      } catch (IllegalArgumentException e) {
        parsed = value;
      }
      out.put(name, parsed);
    }
    return out;
  }

  private Clock clock() {
    if (date == null) {
      return Clock.systemDefaultZone();
    }
    try {
      LocalDate d = LocalDate.parse(date);
      return Clock.fixed(d.atStartOfDay(ZoneOffset.UTC).toInstant(), ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("--date: '" + OptionChecks.clip(date) + "' is not a date; allowed:"
          + " YYYY-MM-DD, e.g. 2026-07-26", e);
    }
  }

  private static String readFile(String option, Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(option + ": " + file + " is not a file; allowed: a JSON file");
    }
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new IllegalArgumentException(option + ": cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
