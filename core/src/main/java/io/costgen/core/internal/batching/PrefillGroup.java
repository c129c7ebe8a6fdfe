package io.costgen.core.internal.batching;

import io.costgen.core.spi.DecoderSession;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Calls admitted in the same scheduling iteration, prefilled together: their prompt blocks
 * stacked into one left-padded block (the group's rows), prefilled in one session, chunk by chunk,
 * then joined to the batch session in one {@link DecoderSession#appendRows}. A call's rows are
 * {@code [offset, offset + sharedRows)} of the group session until it joins. A group of one is the
 * call alone in its own session ({@link #solo()}). Internal; scheduler thread only.
 */
final class PrefillGroup {
  /** The calls still in the group, in row order (a call that stopped leaves; its rows stay). */
  final List<ScheduledCall> members;
  /** The group's rows, left-padded to {@link #width}. */
  final long[][] block;
  final int[] padding;
  final int width;
  /** Whether this is one call alone, prefilled in its own session ({@code own}, not {@link #session}). */
  final boolean solo;
  /** The session a group of calls prefills in (null for a solo call). */
  DecoderSession session;
  /** Columns of {@link #block} prefilled so far. */
  int done;

  private PrefillGroup(boolean solo, List<ScheduledCall> members, long[][] block, int[] padding, int width) {
    this.solo = solo;
    this.members = members;
    this.block = block;
    this.padding = padding;
    this.width = width;
  }

  /** A call prefilled alone in its own session ({@code c.own}, which a recovery may replace). */
  static PrefillGroup solo(ScheduledCall c) {
    return new PrefillGroup(true, new ArrayList<>(List.of(c)), c.session.block, c.session.padding,
        c.session.block[0].length);
  }

  /**
   * Stacks the prompt blocks of {@code calls} (at least two, each with its recorded prefill);
   * sets each call's {@code offset} and {@code sharedRows} to its rows in the group.
   */
  static PrefillGroup of(List<ScheduledCall> calls, DecoderSession session) {
    int width = 0;
    int rows = 0;
    for (ScheduledCall c : calls) {
      width = Math.max(width, c.session.block[0].length);
      rows += c.session.block.length;
    }
    long[][] block = new long[rows][];
    int[] padding = new int[rows];
    int r = 0;
    for (ScheduledCall c : calls) {
      c.offset = r;
      c.sharedRows = c.session.block.length;
      for (int i = 0; i < c.session.block.length; i++, r++) {
        long[] own = c.session.block[i];
        int extra = width - own.length;
        block[r] = new long[width];
        System.arraycopy(own, 0, block[r], extra, own.length); // extra leading columns: padding (id 0)
        padding[r] = c.session.padding[i] + extra;
      }
    }
    PrefillGroup g = new PrefillGroup(false, new ArrayList<>(calls), block, padding, width);
    g.session = session;
    return g;
  }

  /**
   * Prompt positions (rows × columns, padding included) of the first chunk of a group of
   * {@code calls}: every row must hold a real token, so at least the widest padding + 1 columns.
   */
  static long firstChunkTokens(List<ScheduledCall> calls) {
    int width = 0;
    for (ScheduledCall c : calls) {
      width = Math.max(width, c.session.block[0].length);
    }
    long rows = 0;
    int minReal = Integer.MAX_VALUE;
    for (ScheduledCall c : calls) {
      int w = c.session.block[0].length;
      for (int p : c.session.padding) {
        minReal = Math.min(minReal, w - p);
        rows++;
      }
    }
    return rows * Math.min(width, width - minReal + 1);
  }

  int rows() {
    return block.length;
  }

  int maxPadding() {
    return Arrays.stream(padding).max().orElse(0);
  }
}
