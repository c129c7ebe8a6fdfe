package io.costgen.cost;

/**
 * The root of every exception costgen defines, so a host can catch "anything costgen refused or
 * failed at" in one clause. Unchecked: costgen reports I/O failures as subtypes of this or as
 * {@link java.io.UncheckedIOException}, never as checked exceptions.
 *
 * <p>Bad arguments are still reported as {@link IllegalArgumentException} (naming the field and its
 * allowed range) and misuse of a closed object as {@link IllegalStateException}, as the JDK does.
 *
 * <p>Subtypes: {@code BudgetExceededException}, {@code BudgetStoreUnavailableException},
 * {@code MeterException} (cost-api); {@code BackendException}, {@code ModelLoadException},
 * {@code GenerationCancelledException}, {@code ChatTemplateException} (core); {@code HubException}
 * (onnx-backend). Instances are immutable once thrown.
 */
public class CostgenException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CostgenException(String message) {
    super(message);
  }

  public CostgenException(String message, Throwable cause) {
    super(message, cause);
  }
}
