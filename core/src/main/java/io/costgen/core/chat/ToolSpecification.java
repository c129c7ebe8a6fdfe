package io.costgen.core.chat;

import java.util.Objects;

/**
 * A tool (function) the model may call: its name, a description for the model and the JSON
 * Schema of its parameters, as a JSON text (e.g.
 * {@code {"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}).
 * Chat templates see it in the OpenAI shape
 * {@code {"type":"function","function":{"name":…,"description":…,"parameters":{…}}}}.
 * Build with {@link #builder(String)}; immutable and thread-safe.
 */
public final class ToolSpecification {
  private final String name;
  private final String description;
  private final String parametersJson;

  private ToolSpecification(Builder b) {
    this.name = b.name;
    this.description = b.description;
    this.parametersJson = b.parametersJson;
  }

  /** A builder for a tool named {@code name} (not blank). */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** The function's name. */
  public String name() {
    return name;
  }

  /** What the tool does, for the model; empty when not given. */
  public String description() {
    return description;
  }

  /**
   * The JSON Schema of the parameters, as JSON text; default
   * {@code {"type":"object","properties":{}}} (no parameters).
   */
  public String parametersJson() {
    return parametersJson;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ToolSpecification t && name.equals(t.name) && description.equals(t.description)
        && parametersJson.equals(t.parametersJson);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, description, parametersJson);
  }

  @Override
  public String toString() {
    return "ToolSpecification{name=" + name + ", parameters=" + parametersJson + "}";
  }

  /** Builder for {@link ToolSpecification}. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private String description = "";
    private String parametersJson = "{\"type\":\"object\",\"properties\":{}}";

    private Builder(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("tool.name: must not be blank");
      }
      this.name = name;
    }

    public Builder description(String text) {
      this.description = Objects.requireNonNull(text, "description");
      return this;
    }

    /**
     * The parameters' JSON Schema as JSON text; must be a JSON object (checked by
     * {@link #build()}).
     */
    public Builder parametersJson(String json) {
      this.parametersJson = Objects.requireNonNull(json, "parametersJson");
      return this;
    }

    /**
     * @throws IllegalArgumentException when the parameters are not a JSON object
     */
    public ToolSpecification build() {
      if (!io.costgen.core.chat.internal.Json.isObject(parametersJson)) {
        throw new IllegalArgumentException("tool.parameters of " + name + ": not a JSON object: " + parametersJson);
      }
      return new ToolSpecification(this);
    }
  }
}
