package io.spar.multishard;

import io.spar.engine.execution.ColumnInfo;
import io.spar.router.Replacement;
import io.spar.router.SplicedSql;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Text of the query the coordinator runs over the shards' rows. Parts of it depend on the
 * columns the shards return (the types the rows are read back as, how partial aggregates of
 * those types combine), so they are holes until the first execution fills them.
 */
final class CoordinatorSql {
  /** Marker of a hole in spliced text; PostgreSQL's query text cannot contain it. */
  private static final char MARKER = '\u0000';

  /** The columns each table's shard queries returned, and where their arrays bind. */
  record Columns(List<List<ColumnInfo>> perScan, List<Integer> parameterBase) {
  }

  /** A part of the text that is known once the shards' columns are. */
  @FunctionalInterface
  interface Hole {
    /** Returns the part's text for {@code columns}, or throws if they cannot be combined. */
    SplicedSql resolve(Columns columns) throws UncombinableException;
  }

  /** Thrown when the shards' column types do not allow the strategy's combination. */
  static final class UncombinableException extends Exception {
    UncombinableException(String message) {
      super(message, null, false, false);
    }
  }

  private final List<SplicedSql> texts;
  private final List<Hole> holes;
  private final List<String> shown;

  private CoordinatorSql(List<SplicedSql> texts, List<Hole> holes, List<String> shown) {
    this.texts = List.copyOf(texts);
    this.holes = List.copyOf(holes);
    this.shown = List.copyOf(shown);
  }

  /** Returns the text with every hole filled for {@code columns}. */
  SplicedSql resolve(Columns columns) throws UncombinableException {
    SplicedSql result = texts.get(0);
    for (int i = 0; i < holes.size(); i++) {
      result = result.append(holes.get(i).resolve(columns)).append(texts.get(i + 1));
    }
    return result;
  }

  /** Returns the text with every hole described, for EXPLAIN. */
  String show() {
    StringBuilder result = new StringBuilder(texts.get(0).sql());
    for (int i = 1; i < texts.size(); i++) {
      result.append(shown.get(i - 1)).append(texts.get(i).sql());
    }
    return result.toString();
  }

  /** Builder of coordinator text from plain text, spliced statement text and holes. */
  static final class Builder {
    private final List<SplicedSql> texts = new ArrayList<>(List.of(SplicedSql.of("")));
    private final List<Hole> holes = new ArrayList<>();
    private final List<String> shown = new ArrayList<>();
    private final List<Hole> pending = new ArrayList<>();
    private final List<String> pendingShown = new ArrayList<>();

    /** Appends plain text. */
    Builder append(String text) {
      return append(SplicedSql.of(text));
    }

    /**
     * Appends spliced text, in which each replacement made by {@link #replacement} becomes its
     * hole.
     */
    Builder append(SplicedSql text) {
      String sql = text.sql();
      int[] order = text.parameterOrder();
      int from = 0;
      int orderFrom = 0;
      int orderAt = 0;
      for (int at = sql.indexOf(MARKER); at >= 0; at = sql.indexOf(MARKER, from)) {
        while (order[orderAt] >= 0) {
          orderAt++;
        }
        appendText(new SplicedSql(sql.substring(from, at),
            Arrays.copyOfRange(order, orderFrom, orderAt)));
        hole(pending.get(-order[orderAt] - 1), pendingShown.get(-order[orderAt] - 1));
        orderFrom = ++orderAt;
        from = at + 1;
      }
      appendText(new SplicedSql(sql.substring(from),
          Arrays.copyOfRange(order, orderFrom, order.length)));
      return this;
    }

    /** Appends a hole, which EXPLAIN shows as {@code description}. */
    Builder hole(Hole hole, String description) {
      holes.add(hole);
      shown.add(description);
      texts.add(SplicedSql.of(""));
      return this;
    }

    /**
     * Returns a replacement for a parse-tree node that becomes {@code hole} when text spliced
     * with it is {@link #append(SplicedSql) appended}.
     */
    Replacement replacement(Hole hole, String description) {
      pending.add(hole);
      pendingShown.add(description);
      return new Replacement(new SplicedSql(String.valueOf(MARKER),
          new int[] {-pending.size()}));
    }

    private void appendText(SplicedSql text) {
      int last = texts.size() - 1;
      texts.set(last, texts.get(last).append(text));
    }

    CoordinatorSql build() {
      return new CoordinatorSql(texts, holes, shown);
    }
  }

  /** Returns whether {@code sql} may be spliced with holes: it does not hold their marker. */
  static boolean markerFree(String sql) {
    return sql.indexOf(MARKER) < 0;
  }
}
