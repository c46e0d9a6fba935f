package io.spar.engine.execution;

import io.spar.engine.catalog.Shard;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Modification of one shard, to run on each of its FINALIZED placements: one statement text
 * with one or more parameter sets (a JDBC batch).
 *
 * @param shard the shard to modify
 * @param sql the statement text with shard names spliced in
 * @param parameterSets the parameter sets, run in order as one batch
 * @param statementIndexes for each parameter set, its position in the caller's batch, where
 *     its update count is reported
 * @param writeClass how the write composes with concurrent ones, which sets its shard lock
 * @param rowOrdinals for one row-by-row part of a multi-row INSERT, the positions among the
 *     user's VALUES rows of the rows this shard gets, in order, so that returned rows can be put
 *     back in the user's order; null otherwise
 * @param readShards the ids of other shards whose rows the statement reads (co-located shards
 *     it joins or selects from); on replicated placements their locks are taken too, so that
 *     no write to them lands between the placements' reads
 * @param rowsText for a batch of a plain one-row INSERT (no ON CONFLICT, no RETURNING), its
 *     text split around its VALUES row, so that a placement may send many rows as one
 *     statement; null otherwise
 */
public record ShardWrite(Shard shard, String sql, List<List<Object>> parameterSets,
    int[] statementIndexes, WriteClass writeClass, int[] rowOrdinals, List<Long> readShards,
    RowsText rowsText) {

  /**
   * A one-row INSERT's text around its VALUES row, whose parameter markers are all in the row:
   * {@code head + row + tail} is the statement, and repeating the row inserts more rows.
   *
   * @param head the text before the row
   * @param row the row, such as {@code (?, ?)}
   * @param tail the text after the row
   */
  public record RowsText(String head, String row, String tail) {
    /** Returns the INSERT of {@code rows} rows, each with the row's markers. */
    public String sql(int rows) {
      StringBuilder sql = new StringBuilder(head.length() + rows * (row.length() + 2)
          + tail.length()).append(head);
      for (int i = 0; i < rows; i++) {
        sql.append(i == 0 ? "" : ", ").append(row);
      }
      return sql.append(tail).toString();
    }
  }

  public ShardWrite {
    List<List<Object>> copies = new ArrayList<>();
    for (List<Object> each : parameterSets) {
      copies.add(Collections.unmodifiableList(new ArrayList<>(each)));
    }
    parameterSets = Collections.unmodifiableList(copies);
    readShards = List.copyOf(readShards);
  }

  /** Returns this write, reading the rows of shards {@code ids} as well as its own. */
  public ShardWrite reading(List<Long> ids) {
    return new ShardWrite(shard, sql, parameterSets, statementIndexes, writeClass, rowOrdinals,
        ids, rowsText);
  }

  /** Returns a write of one statement with one parameter set, reported at position 0. */
  public static ShardWrite single(Shard shard, String sql, List<Object> parameters,
      WriteClass writeClass) {
    return new ShardWrite(shard, sql, List.of(parameters), new int[] {0}, writeClass, null,
        List.of(), null);
  }

  /**
   * Returns a write of one statement with one parameter set, reported at position 0, that
   * inserts the user's VALUES rows at {@code rowOrdinals}.
   */
  public static ShardWrite rows(Shard shard, String sql, List<Object> parameters,
      WriteClass writeClass, int[] rowOrdinals) {
    return new ShardWrite(shard, sql, List.of(parameters), new int[] {0}, writeClass,
        rowOrdinals, List.of(), null);
  }
}
