package io.costgen.core;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Generated tokens of one call, pulled as they are produced: iterating drives the generation on
 * the iterating thread (no background thread). The tokens and the final {@link #result()} are
 * exactly those of the same request run with {@link TextGenerator#generate(GenerationRequest)}.
 * With batching ({@link TextGenerator.Builder#batching}) the scheduler thread generates and
 * iterating waits for its tokens (which queue up, at most the call's tokens, if not pulled).
 *
 * <p>Always close it (try-with-resources): {@link #close()} cancels a call that is still running
 * (its result then has {@link FinishReason#CANCELLED}) and releases the backend session.
 * A backend failure is thrown from {@link #hasNext()} / {@link #next()} / {@link #result()}.
 *
 * <p>Iterate from one thread at a time; {@link #close()} may be called from any thread (it then
 * aborts the running forward pass and waits for the iterating thread to let go).
 */
public final class TokenStream implements Iterator<StreamedToken>, AutoCloseable {
  private final Object lock = new Object();
  private final ArrayDeque<StreamedToken> buffer = new ArrayDeque<>();
  private final Cancellation cancellation;
  private GenerationCall call;
  private volatile boolean finished;
  private GenerationResult result;
  private RuntimeException failure;

  TokenStream(TextGenerator generator, GenerationRequest request) {
    this.cancellation = Cancellation.create();
    GenerationCall c = new GenerationCall(generator, request, buffer::add, cancellation);
    c.begin();
    this.call = c;
  }

  @Override
  public boolean hasNext() {
    synchronized (lock) {
      while (buffer.isEmpty() && !finished) {
        step();
      }
      if (buffer.isEmpty() && failure != null) {
        throw failure;
      }
      return !buffer.isEmpty();
    }
  }

  @Override
  public StreamedToken next() {
    synchronized (lock) {
      if (!hasNext()) {
        throw new NoSuchElementException("no more tokens");
      }
      return buffer.poll();
    }
  }

  /**
   * The call's result, running it to the end first if needed (tokens not yet iterated stay
   * available to {@link #next()}).
   */
  public GenerationResult result() {
    synchronized (lock) {
      while (!finished) {
        step();
      }
      if (failure != null) {
        throw failure;
      }
      return result;
    }
  }

  /** The remaining tokens as a sequential {@link Stream}; closing the stream closes this. */
  public Stream<StreamedToken> stream() {
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL),
        false).onClose(this::close);
  }

  /**
   * Cancels the call without waiting (any thread): aborts the running forward pass; the call ends
   * with {@link FinishReason#CANCELLED} and settles when the iterating thread next advances or
   * {@link #close()}s it.
   */
  void abort() {
    cancellation.cancel();
  }

  /** Cancels the call if it is still running, and releases its session. Idempotent. */
  @Override
  public void close() {
    if (!finished) {
      cancellation.cancel(); // outside the lock: aborts a forward pass running on the iterating thread
    }
    synchronized (lock) {
      if (!finished) {
        try {
          call.stopNow(FinishReason.CANCELLED);
          result = call.complete();
        } catch (RuntimeException e) {
          failure = e;
        } finally {
          finished = true;
        }
      }
    }
  }

  private void step() {
    try {
      if (!call.advance()) {
        result = call.complete();
        finished = true;
      }
    } catch (RuntimeException e) {
      failure = e;
      finished = true;
      throw e;
    }
  }
}
