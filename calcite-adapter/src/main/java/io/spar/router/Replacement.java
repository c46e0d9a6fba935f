package io.spar.router;

/**
 * Text that takes the place of a parse-tree node in a spliced statement: plain text, such as a
 * shard name, text around a parameter marker, such as {@code CAST(? AS timestamptz)} for a value
 * the coordinator computed, or a spliced fragment of the statement itself.
 *
 * @param body the text, with its markers and the parameters they take
 */
public record Replacement(SplicedSql body) {

  /** Returns a replacement by plain text. */
  public static Replacement text(String text) {
    return new Replacement(new SplicedSql(text, new int[0]));
  }

  /** Returns a replacement by parameter {@code index}, typed by its context. */
  public static Replacement parameter(int index) {
    return new Replacement(new SplicedSql("?", new int[] {index}));
  }

  /** Returns a replacement by parameter {@code index} cast to {@code type}. */
  public static Replacement castParameter(int index, String type) {
    return new Replacement(new SplicedSql("CAST(? AS " + type + ")", new int[] {index}));
  }

  /**
   * Returns the 0-based statement parameter this replacement takes, if it is one marker (from
   * {@link #parameter} or {@link #castParameter}); -1 otherwise.
   */
  public int parameterIndex() {
    return body.parameterOrder().length == 1 ? body.parameterOrder()[0] : -1;
  }
}
