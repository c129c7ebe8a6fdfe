package io.costgen.core.chat;

import java.util.Objects;

/**
 * The chat template itself refused the conversation by calling {@code raise_exception(msg)}
 * (jinja2's {@code TemplateError} in transformers), e.g. "Conversation roles must alternate
 * user/assistant/user/assistant/...". {@link #getMessage()} is exactly the template's message;
 * {@link #origin()} names the template.
 */
public final class TemplateRaisedException extends ChatTemplateException {
  private static final long serialVersionUID = 1L;
  private final String origin;

  public TemplateRaisedException(String templateMessage, String origin) {
    super(Objects.requireNonNull(templateMessage, "templateMessage"));
    this.origin = Objects.requireNonNull(origin, "origin");
  }

  /** Where the template came from (a file path, or "explicit template"). */
  public String origin() {
    return origin;
  }
}
