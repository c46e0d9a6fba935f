package io.spar.router;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Statement text for a node, with every parameter marker written as {@code ?} and the order in
 * which the statement's parameters bind to those markers.
 *
 * @param sql the text to send
 * @param parameterOrder for each {@code ?} in {@code sql}, the 0-based index of the statement
 *     parameter it takes; {@code $n} markers and rows split across shards make this differ from
 *     the identity
 */
public record SplicedSql(String sql, int[] parameterOrder) {

  /** Returns the values to bind to {@link #sql}'s markers, taken from {@code parameters}. */
  public List<Object> bind(List<Object> parameters) {
    List<Object> bound = new ArrayList<>(parameterOrder.length);
    for (int index : parameterOrder) {
      if (index >= parameters.size()) {
        throw new IllegalArgumentException("No value specified for parameter " + (index + 1) + ".");
      }
      bound.add(parameters.get(index));
    }
    return bound;
  }

  /** Returns this text followed by {@code more}, whose markers take parameters after this one's. */
  public SplicedSql append(SplicedSql more) {
    int[] order = Arrays.copyOf(parameterOrder, parameterOrder.length
        + more.parameterOrder.length);
    System.arraycopy(more.parameterOrder, 0, order, parameterOrder.length,
        more.parameterOrder.length);
    return new SplicedSql(sql + more.sql, order);
  }

  /** Returns this text followed by the plain text {@code more}. */
  public SplicedSql append(String more) {
    return new SplicedSql(sql + more, parameterOrder);
  }

  /** Returns plain text without markers. */
  public static SplicedSql of(String text) {
    return new SplicedSql(text, new int[0]);
  }
}
