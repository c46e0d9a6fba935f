package io.spar.router;

/**
 * Text that takes the place of a parse-tree node in a spliced statement: plain text, such as a
 * shard name, or a parameter marker wrapped in text, such as {@code CAST(? AS timestamptz)} for
 * a value the coordinator computed.
 *
 * @param prefix text before the marker, or the whole text when there is no marker
 * @param parameterIndex the 0-based statement parameter the marker takes, or -1 for none
 * @param suffix text after the marker
 */
public record Replacement(String prefix, int parameterIndex, String suffix) {

  /** Returns a replacement by plain text. */
  public static Replacement text(String text) {
    return new Replacement(text, -1, "");
  }

  /** Returns a replacement by parameter {@code index}, typed by its context. */
  public static Replacement parameter(int index) {
    return new Replacement("", index, "");
  }

  /** Returns a replacement by parameter {@code index} cast to {@code type}. */
  public static Replacement castParameter(int index, String type) {
    return new Replacement("CAST(", index, " AS " + type + ")");
  }
}
