package io.costgen.samples.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the library's field names in an error message into the CLI's option names:
 * {@code "maxNewTokens (max_new_tokens): -1 is outside ..."} becomes
 * {@code "--max-new-tokens: -1 is outside ..."}, so a user reads the name they typed.
 */
final class OptionNames {
  private static final Pattern LEADING_FIELD = Pattern.compile("^([a-z][A-Za-z0-9]*)(?: \\([a-z0-9_]+\\))?:");
  private static final Pattern CAMEL_HUMP = Pattern.compile("([a-z0-9])([A-Z])");

  private OptionNames() {}

  /**
   * {@code message} with a leading {@code camelField (hf_name):} replaced by {@code --camel-field:}
   * when the command has that option; otherwise {@code message} as it is.
   */
  static String cliMessage(String message, picocli.CommandLine.Model.CommandSpec command) {
    if (message == null) {
      return "(no message)";
    }
    Matcher m = LEADING_FIELD.matcher(message);
    if (!m.find()) {
      return message;
    }
    String option = option(m.group(1));
    return command.findOption(option) == null ? message : option + ":" + message.substring(m.end());
  }

  /** {@code maxNewTokens} → {@code --max-new-tokens}. */
  static String option(String camel) {
    return "--" + CAMEL_HUMP.matcher(camel).replaceAll("$1-$2").toLowerCase(Locale.ROOT);
  }
}
