package io.spar.parser;

import io.spar.parser.impl.SimpleCharStream;
import io.spar.parser.impl.Token;

/**
 * Lexer support for words that are names unless the text around them makes them keywords
 * ({@code exists (}, {@code partition by}, {@code is unknown}).
 *
 * <p>The grammar matches such a word together with its context as one token, so that the
 * choice is made with the whole context in view. {@link #keywords} then splits that token
 * back into the words the parser expects, each with its keyword's kind and its own position,
 * and gives any text after the last of them back to the input. Words after the first are
 * chained behind it through {@link Token#next}, where the parser takes its next tokens from
 * before it asks the lexer.
 *
 * <p>Positions count a tab as one column, as Calcite's parser does.
 */
public final class ContextKeywords {
  private ContextKeywords() {
  }

  /**
   * Turns {@code token}, matched as words with gaps (white space and comments) between them
   * and possibly more text after, into one token per entry of {@code kinds}: the first word
   * keeps {@code token}, the next ones follow it; the rest of the text returns to {@code input}.
   */
  public static void keywords(Token token, SimpleCharStream input, int... kinds) {
    String image = token.image;
    int line = token.beginLine;
    int column = token.beginColumn;
    int i = 0;
    Token last = null;
    for (int kind : kinds) {
      while (!Character.isLetter(image.charAt(i))) {
        int gapEnd = gapEnd(image, i);
        for (; i < gapEnd; i++) {
          if (isLineBreak(image, i)) {
            line++;
            column = 1;
          } else {
            column++;
          }
        }
      }
      int start = i;
      while (i < image.length() && Character.isLetter(image.charAt(i))) {
        i++;
      }
      Token word = last == null ? token : new Token();
      word.kind = kind;
      word.image = image.substring(start, i);
      word.beginLine = line;
      word.beginColumn = column;
      word.endLine = line;
      word.endColumn = column + (i - start) - 1;
      column = word.endColumn + 1;
      if (last != null) {
        last.next = word;
      }
      last = word;
    }
    input.backup(image.length() - i);
  }

  /** Returns where the gap (white space or one comment) that starts at {@code i} ends. */
  private static int gapEnd(String image, int i) {
    if (image.startsWith("--", i)) {
      int end = i;
      while (end < image.length() && image.charAt(end) != '\n' && image.charAt(end) != '\r') {
        end++;
      }
      return end;
    }
    if (image.startsWith("/*", i)) {
      return image.indexOf("*/", i + 2) + 2;
    }
    return i + 1;
  }

  /** Returns whether {@code image} breaks a line at {@code i}, counting CR LF once. */
  private static boolean isLineBreak(String image, int i) {
    char c = image.charAt(i);
    return c == '\n' || c == '\r' && (i + 1 == image.length() || image.charAt(i + 1) != '\n');
  }
}
