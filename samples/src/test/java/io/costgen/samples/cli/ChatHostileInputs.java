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

/**
 * {@code costgen chat}: bad inputs. The model is stories260k with a ChatML template given by
 * {@code --chat-template} (it ships none) and the shared ledger, unless a case sets them. The
 * generate options are shared mixins; a sample of them is checked here too.
 */
final class ChatHostileInputs implements HostileInputCatalogueTest.HostileInputs {

  @Override
  public String command() {
    return "chat";
  }

  @Override
  public List<Case> cases(Env env) {
    Path dir = env.work().resolve("chat-inputs");
    Path template = dir.resolve("chatml.jinja");
    Path badTemplate = dir.resolve("bad.jinja");
    Path raising = dir.resolve("raise.jinja");
    try {
      Files.createDirectories(dir);
      Files.writeString(template, "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n"
          + "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}");
      Files.writeString(badTemplate, "{% for m in messages %}{{ m.content }}");
      Files.writeString(raising, "{{ raise_exception('Conversation roles must alternate') }}");
      write(dir, "role.json", "{\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}");
      write(dir, "empty.json", "{\"messages\":[]}");
      write(dir, "notjson.json", "{\"messages\": [");
      write(dir, "array.json", "[1, 2]");
      write(dir, "content.json", "{\"messages\":[{\"role\":\"user\",\"content\":42}]}");
      write(dir, "agp.json", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"add_generation_prompt\":\"yes\"}");
      write(dir, "calls.json", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\",\"tool_calls\":[{\"id\":\"1\","
          + "\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":{}}}]}]}");
      write(dir, "tools-bad.json", "[{\"type\":\"function\",\"function\":{\"description\":\"no name\"}}]");
      write(dir, "tools-obj.json", "{\"functions\": []}");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Case> c = new ArrayList<>();
    c.add(g(env, template, "--messages", "role", "--messages", dir.resolve("role.json").toString()));
    c.add(g(env, template, "--messages", "non-empty array", "--messages", dir.resolve("empty.json").toString()));
    c.add(g(env, template, "--messages", "not JSON", "--messages", dir.resolve("notjson.json").toString()));
    c.add(g(env, template, "--messages", "JSON object", "--messages", dir.resolve("array.json").toString()));
    c.add(g(env, template, "--messages", "content", "--messages", dir.resolve("content.json").toString()));
    c.add(g(env, template, "--messages", "add_generation_prompt", "--messages", dir.resolve("agp.json").toString()));
    c.add(g(env, template, "--messages", "only assistant", "--messages", dir.resolve("calls.json").toString()));
    c.add(g(env, template, "--messages", "not a file", "--messages", dir.resolve("missing.json").toString()));
    c.add(g(env, template, "--messages", "not a file", "--messages", dir.toString()));
    c.add(g(env, template, "--tools", "name", "--user", "x", "--tools", dir.resolve("tools-bad.json").toString()));
    c.add(g(env, template, "--tools", "array of tools", "--user", "x", "--tools",
        dir.resolve("tools-obj.json").toString()));
    c.add(g(env, template, "--user", "empty", "--user", ""));
    c.add(g(env, template, "--system", "empty", "--user", "x", "--system", ""));
    c.add(g(env, template, "--var", "NAME=VALUE", "--user", "x", "--var", "novalue"));
    c.add(g(env, template, "--var", "NAME=VALUE", "--user", "x", "--var", "=1"));
    c.add(g(env, template, "--var", "variable name", "--user", "x", "--var", "1x=1"));
    c.add(g(env, template, "--var", "reserved", "--user", "x", "--var", "messages=[]"));
    c.add(g(env, template, "--date", "YYYY-MM-DD", "--user", "x", "--date", "2026-13-40"));
    c.add(g(env, template, "--date", "YYYY-MM-DD", "--user", "x", "--date", "yesterday"));
    c.add(g(env, dir.resolve("missing.jinja"), "--chat-template", "not a file", "--user", "x"));
    c.add(g(env, badTemplate, "--chat-template", "endfor", "--user", "x"));
    c.add(g(env, raising, "--messages", "Conversation roles must alternate", "--user", "x"));
    c.add(g(env, null, "--chat-template", "chat_template.jinja", "--user", "x"));
    // shared generate options (mixins) behave the same here
    c.add(g(env, template, "--max-new-tokens", "allowed", "--user", "x", "--max-new-tokens", "-1"));
    c.add(g(env, template, "--temperature", "allowed", "--user", "x", "--temperature", "0", "--do-sample"));
    c.add(g(env, template, "--top-p", "allowed", "--user", "x", "--top-p", "1.5"));
    c.add(g(env, template, "--threads", "allowed 1 to", "--user", "x", "--threads", "0"));
    c.add(g(env, template, "--price-kwh", "allowed 0 to 1000", "--user", "x", "--price-kwh", "-1"));
    c.add(g(env, template, "--budget", "budget", "--user", "x", "--budget", "nonsense"));
    c.add(g(env, template, "--max-new-tokens", "context length", "--user", "x", "--max-new-tokens", "100000"));
    return c;
  }

  private static void write(Path dir, String name, String text) throws IOException {
    Files.writeString(dir.resolve(name), text);
  }

  private static Case g(Env env, Path template, String option, String range, String... args) {
    List<String> given = List.of(args);
    List<String> a = new ArrayList<>(List.of("--model", env.stories().toString(), "--ledger", env.ledger().toString()));
    if (template != null) {
      a.addAll(List.of("--chat-template", template.toString()));
    }
    if (!given.contains("--max-new-tokens")) {
      a.addAll(List.of("--max-new-tokens", "2"));
    }
    a.addAll(given);
    return bad(option, range, a.toArray(new String[0]));
  }
}
