package io.costgen.core.chat;

import io.costgen.core.GenerationResult;
import io.costgen.core.StreamedToken;
import io.costgen.core.TokenStream;
import java.util.Iterator;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The tokens of a chat call as they are generated ({@link io.costgen.core.TextGenerator#streamChat}),
 * then its {@link ChatResult}. Same contract as {@link TokenStream}: single consumer thread; the
 * caller must {@link #close()} it (closing early cancels the call, which still settles).
 */
public final class ChatStream implements Iterator<StreamedToken>, AutoCloseable {
  private final TokenStream tokens;
  private final Function<GenerationResult, ChatResult> finish;
  private ChatResult result;

  /**
   * Wraps a token stream; {@code finish} turns its result into the chat result. Created by
   * {@link io.costgen.core.TextGenerator#streamChat}.
   */
  public ChatStream(TokenStream tokens, Function<GenerationResult, ChatResult> finish) {
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.finish = Objects.requireNonNull(finish, "finish");
  }

  @Override
  public boolean hasNext() {
    return tokens.hasNext();
  }

  @Override
  public StreamedToken next() {
    return tokens.next();
  }

  /** The remaining tokens as a sequential stream. */
  public Stream<StreamedToken> stream() {
    return tokens.stream();
  }

  /** Waits for the end of the call and returns the assistant's reply (tool calls parsed). */
  public ChatResult result() {
    if (result == null) {
      result = finish.apply(tokens.result());
    }
    return result;
  }

  @Override
  public void close() {
    tokens.close();
  }
}
