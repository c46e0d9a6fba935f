package io.spar.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Differential test of Spar's query pipeline against plain PostgreSQL.
 *
 * <p>The same deterministic data is loaded twice: into tables in {@code public} through Spar
 * ({@code diff_articles} hash-distributed on {@code author_id} into 8 shards with replication
 * factor 2, {@code diff_authors} left local on the coordinator, {@code diff_empty} distributed
 * without shards), and into plain tables of the same names in schema {@code diff_reference}
 * on the coordinator. The reference connection sets {@code search_path} to that schema, so each
 * query's text is run unchanged on both sides and the results must agree.
 *
 * <p>Values are compared after normalization that removes only representation noise: numbers
 * as {@link BigDecimal} without trailing zeros (so {@code 1234.5} equals
 * {@code 1234.5000000000000000} but not {@code 1234}), dates and timestamps by value, strings
 * exactly, booleans by value, and NULL equal only to NULL. A number is never equal to a
 * string. Queries with a total ORDER BY compare rows in order, the others as multisets.
 *
 * <p>Column labels are checked by a separate test, only for queries where every select item is a
 * plain column or has an explicit alias, so that label mismatches are reported apart from
 * wrong results.
 */
class DifferentialQueryTest {
  private static final String REFERENCE_SCHEMA = "diff_reference";
  private static final int ARTICLES = 500;
  private static final long SEED = 20_240_611L;
  private static final int MAX_SHOWN_DIFFERENCES = 8;

  private static final String[] WORDS = {
      "data", "sharding", "postgres", "calcite", "hash", "replica", "query", "index"};
  private static final String[] SPECIAL_TITLES = {
      "O'Brien's notes", "Data Sharding", "", "café au lait", "  padded  ", "100% sure", "a_b"};
  private static final String[] COUNTRIES = {"NL", "DE", "US", "FR", null};

  private static Connection spar;
  private static Connection reference;
  private static final Queue<String> LABEL_MISMATCHES = new ConcurrentLinkedQueue<>();

  /** One differential query. */
  record Query(String name, String sql, boolean ordered, boolean labels) {
  }

  // ---------------------------------------------------------------------------------------
  // Queries
  // ---------------------------------------------------------------------------------------

  /** A query whose ORDER BY is total: rows are compared in order. */
  private static Query ordered(String name, String sql) {
    return new Query(name, sql, true, false);
  }

  /** A query without a total order: rows are compared as multisets. */
  private static Query unordered(String name, String sql) {
    return new Query(name, sql, false, false);
  }

  /** Like {@link #ordered}, and every select item is a plain column or has an alias. */
  private static Query orderedLabeled(String name, String sql) {
    return new Query(name, sql, true, true);
  }

  /** Like {@link #unordered}, and every select item is a plain column or has an alias. */
  private static Query unorderedLabeled(String name, String sql) {
    return new Query(name, sql, false, true);
  }

  static List<Query> queries() {
    List<Query> q = new ArrayList<>();
    // --- routing: point lookups, IN lists, ranges ---
    q.add(orderedLabeled("point_lookup_ordered",
        "SELECT id, author_id, title, word_count, published FROM diff_articles"
            + " WHERE author_id = 7 ORDER BY id"));
    q.add(unorderedLabeled("point_lookup_star",
        "SELECT * FROM diff_articles WHERE author_id = 7"));
    q.add(unorderedLabeled("point_lookup_negative_key",
        "SELECT id, title FROM diff_articles WHERE author_id = -3"));
    q.add(orderedLabeled("in_list_partition_column",
        "SELECT id, author_id, title FROM diff_articles WHERE author_id IN (1, 2, 3, -4) ORDER BY id"));
    q.add(orderedLabeled("range_non_partition_column",
        "SELECT id, author_id, word_count FROM diff_articles"
            + " WHERE word_count BETWEEN 1000 AND 1500 ORDER BY id"));
    q.add(unorderedLabeled("range_partition_column",
        "SELECT id, author_id FROM diff_articles WHERE author_id > 10 AND author_id <= 20"));
    q.add(unorderedLabeled("full_scan_star", "SELECT * FROM diff_articles"));
    q.add(unorderedLabeled("is_null_filters",
        "SELECT id, title, published FROM diff_articles WHERE title IS NULL OR published IS NULL"));
    // --- aggregates ---
    q.add(unordered("count_star", "SELECT count(*) FROM diff_articles"));
    q.add(unorderedLabeled("count_columns_with_nulls",
        "SELECT count(title) AS titles, count(word_count) AS counts, count(published) AS dates"
            + " FROM diff_articles"));
    q.add(unorderedLabeled("count_distinct",
        "SELECT count(DISTINCT author_id) AS authors, count(DISTINCT title) AS titles"
            + " FROM diff_articles"));
    q.add(unorderedLabeled("sum_int_and_bigint",
        "SELECT sum(word_count) AS words, sum(author_id) AS author_sum FROM diff_articles"));
    q.add(unorderedLabeled("avg_int", "SELECT avg(word_count) AS avg_words FROM diff_articles"));
    q.add(unorderedLabeled("avg_bigint", "SELECT avg(author_id) AS avg_author FROM diff_articles"));
    q.add(orderedLabeled("avg_per_group",
        "SELECT author_id, avg(word_count) AS avg_words FROM diff_articles"
            + " GROUP BY author_id ORDER BY author_id"));
    q.add(unorderedLabeled("min_max_int",
        "SELECT min(word_count) AS lo, max(word_count) AS hi FROM diff_articles"));
    q.add(unorderedLabeled("min_max_text_and_date",
        "SELECT min(title) AS first_title, max(title) AS last_title,"
            + " min(published) AS first_day, max(published) AS last_day FROM diff_articles"));
    q.add(unorderedLabeled("stddev_and_variance",
        "SELECT stddev(word_count) AS sd, variance(word_count) AS var, stddev_pop(author_id) AS sp"
            + " FROM diff_articles"));
    q.add(orderedLabeled("group_by_having",
        "SELECT author_id, count(*) AS n, sum(word_count) AS words FROM diff_articles"
            + " GROUP BY author_id HAVING count(*) > 12 ORDER BY author_id"));
    q.add(unorderedLabeled("group_by_non_partition_column_with_null_group",
        "SELECT title, count(*) AS n, max(word_count) AS most FROM diff_articles GROUP BY title"));
    q.add(orderedLabeled("group_by_ordinal_negative_modulo",
        "SELECT author_id % 5 AS bucket, count(*) AS n FROM diff_articles GROUP BY 1 ORDER BY 1"));
    q.add(orderedLabeled("aggregate_filter_clause",
        "SELECT author_id, count(*) FILTER (WHERE word_count > 2500) AS big, count(*) AS total"
            + " FROM diff_articles GROUP BY author_id ORDER BY author_id"));
    q.add(unorderedLabeled("aggregates_on_contradiction",
        "SELECT count(*) AS n, sum(word_count) AS words, max(title) AS last_title"
            + " FROM diff_articles WHERE author_id = 1 AND author_id = 2"));
    // --- ordering, NULLs, LIMIT/OFFSET, DISTINCT ---
    q.add(orderedLabeled("order_asc_default_nulls_last",
        "SELECT id, word_count FROM diff_articles ORDER BY word_count, id"));
    q.add(orderedLabeled("order_desc_default_nulls_first",
        "SELECT id, word_count FROM diff_articles ORDER BY word_count DESC, id"));
    q.add(orderedLabeled("order_asc_nulls_first_date",
        "SELECT id, published FROM diff_articles ORDER BY published ASC NULLS FIRST, id"));
    q.add(orderedLabeled("order_desc_nulls_last_text",
        "SELECT id, title FROM diff_articles ORDER BY title DESC NULLS LAST, id DESC"));
    q.add(orderedLabeled("limit",
        "SELECT id, author_id FROM diff_articles ORDER BY id LIMIT 10"));
    q.add(orderedLabeled("limit_offset_on_nullable_key",
        "SELECT id, word_count FROM diff_articles ORDER BY word_count DESC NULLS LAST, id"
            + " LIMIT 15 OFFSET 30"));
    q.add(orderedLabeled("offset_only",
        "SELECT id, title FROM diff_articles ORDER BY id OFFSET 490"));
    q.add(orderedLabeled("order_by_alias",
        "SELECT id, word_count * 2 AS doubled FROM diff_articles"
            + " ORDER BY doubled DESC NULLS LAST, id LIMIT 20"));
    q.add(unorderedLabeled("distinct_partition_column",
        "SELECT DISTINCT author_id FROM diff_articles"));
    q.add(unorderedLabeled("distinct_expression_and_nullable_column",
        "SELECT DISTINCT title, author_id % 3 AS bucket FROM diff_articles"));
    // --- window functions ---
    q.add(orderedLabeled("row_number_per_author",
        "SELECT id, author_id, row_number() OVER (PARTITION BY author_id ORDER BY id) AS rn"
            + " FROM diff_articles ORDER BY author_id, id"));
    q.add(unorderedLabeled("rank_and_dense_rank_with_nulls",
        "SELECT id, word_count, rank() OVER (ORDER BY word_count DESC) AS rnk,"
            + " dense_rank() OVER (ORDER BY word_count DESC) AS drnk FROM diff_articles"));
    q.add(orderedLabeled("running_sum",
        "SELECT id, sum(word_count) OVER (ORDER BY id) AS running FROM diff_articles ORDER BY id"));
    q.add(unorderedLabeled("running_sum_range_peers_per_author",
        "SELECT id, author_id, sum(word_count) OVER (PARTITION BY author_id ORDER BY published)"
            + " AS running FROM diff_articles"));
    q.add(unorderedLabeled("window_aggregates_per_partition",
        "SELECT id, author_id, count(*) OVER (PARTITION BY author_id) AS per_author,"
            + " max(word_count) OVER (PARTITION BY author_id) AS author_max FROM diff_articles"));
    // --- joins ---
    q.add(unorderedLabeled("self_join_on_partition_column",
        "SELECT a.id AS left_id, b.id AS right_id FROM diff_articles a"
            + " JOIN diff_articles b ON a.author_id = b.author_id"
            + " WHERE a.word_count > 4000 AND b.word_count < 100"));
    q.add(unorderedLabeled("self_join_on_non_partition_column",
        "SELECT a.id AS left_id, b.id AS right_id, a.title FROM diff_articles a"
            + " JOIN diff_articles b ON a.title = b.title AND a.id < b.id"
            + " WHERE a.published > DATE '2019-06-01'"));
    q.add(unorderedLabeled("join_with_local_table",
        "SELECT a.id, a.title, au.name FROM diff_articles a"
            + " JOIN diff_authors au ON au.id = a.author_id WHERE au.country = 'NL'"));
    q.add(orderedLabeled("left_join_local_to_distributed",
        "SELECT au.id, au.name, count(a.id) AS articles FROM diff_authors au"
            + " LEFT JOIN diff_articles a ON a.author_id = au.id"
            + " GROUP BY au.id, au.name ORDER BY au.id"));
    q.add(unorderedLabeled("join_local_group_by_nullable_country",
        "SELECT au.country, count(*) AS n, sum(a.word_count) AS words FROM diff_articles a"
            + " JOIN diff_authors au ON au.id = a.author_id GROUP BY au.country"));
    // --- subqueries and CTEs ---
    q.add(unorderedLabeled("in_subquery_on_local_table",
        "SELECT id, title FROM diff_articles"
            + " WHERE author_id IN (SELECT id FROM diff_authors WHERE country = 'DE')"));
    q.add(unorderedLabeled("in_subquery_on_distributed_table",
        "SELECT id, word_count FROM diff_articles WHERE word_count IN"
            + " (SELECT max(word_count) FROM diff_articles GROUP BY author_id)"));
    q.add(unorderedLabeled("not_in_subquery_without_nulls",
        "SELECT id FROM diff_articles WHERE author_id NOT IN"
            + " (SELECT id FROM diff_authors WHERE country IS NOT NULL)"));
    q.add(unorderedLabeled("not_in_subquery_with_nulls",
        "SELECT count(*) AS n FROM diff_articles WHERE word_count NOT IN"
            + " (SELECT word_count FROM diff_articles WHERE word_count < 0 OR word_count IS NULL)"));
    q.add(unorderedLabeled("scalar_subquery_in_where",
        "SELECT id, word_count FROM diff_articles"
            + " WHERE word_count > (SELECT avg(word_count) FROM diff_articles) * 1.8"));
    q.add(orderedLabeled("correlated_scalar_subquery_in_select",
        "SELECT au.id, (SELECT max(a.word_count) FROM diff_articles a WHERE a.author_id = au.id)"
            + " AS best FROM diff_authors au ORDER BY au.id"));
    q.add(unorderedLabeled("exists",
        "SELECT au.id, au.name FROM diff_authors au WHERE EXISTS"
            + " (SELECT 1 FROM diff_articles a WHERE a.author_id = au.id AND a.word_count > 4500)"));
    q.add(unorderedLabeled("not_exists",
        "SELECT au.id, au.name FROM diff_authors au WHERE NOT EXISTS"
            + " (SELECT 1 FROM diff_articles a WHERE a.author_id = au.id AND a.title LIKE 'data%')"));
    q.add(orderedLabeled("derived_table_in_from",
        "SELECT t.author_id, t.n FROM (SELECT author_id, count(*) AS n FROM diff_articles"
            + " GROUP BY author_id) t WHERE t.n >= 10 ORDER BY t.n DESC, t.author_id"));
    q.add(orderedLabeled("cte",
        "WITH per_author AS (SELECT author_id, sum(word_count) AS words FROM diff_articles"
            + " GROUP BY author_id) SELECT author_id, words FROM per_author"
            + " WHERE words > (SELECT avg(words) FROM per_author) ORDER BY author_id"));
    q.add(orderedLabeled("order_by_correlated_subquery_over_local_outer",
        "SELECT au.id, au.name FROM diff_authors au ORDER BY"
            + " (SELECT count(*) FROM diff_articles a WHERE a.author_id = au.id) DESC, au.id LIMIT 8"));
    q.add(orderedLabeled("exists_inside_case_in_select_list",
        "SELECT au.id, CASE WHEN EXISTS (SELECT 1 FROM diff_articles a WHERE a.author_id = au.id"
            + " AND a.word_count > 4000) THEN 'yes' ELSE 'no' END AS prolific FROM diff_authors au"
            + " ORDER BY au.id"));
    q.add(unorderedLabeled("uncorrelated_scalar_subquery_without_from",
        "SELECT (SELECT count(*) FROM diff_articles) AS n,"
            + " (SELECT max(published) FROM diff_articles) AS last_day"));
    q.add(unordered("union_distributed_and_local",
        "SELECT author_id FROM diff_articles WHERE word_count > 4900"
            + " UNION SELECT id FROM diff_authors WHERE country = 'US'"));
    // --- expressions ---
    q.add(unorderedLabeled("case_expression",
        "SELECT id, CASE WHEN word_count IS NULL THEN 'unknown' WHEN word_count < 0 THEN 'negative'"
            + " WHEN word_count < 1000 THEN 'short' ELSE 'long' END AS size FROM diff_articles"));
    q.add(unorderedLabeled("case_expression_grouped",
        "SELECT CASE WHEN word_count < 1000 THEN 'short' ELSE 'long' END AS size, count(*) AS n"
            + " FROM diff_articles GROUP BY CASE WHEN word_count < 1000 THEN 'short' ELSE 'long' END"));
    q.add(unorderedLabeled("string_functions",
        "SELECT id, upper(title) AS up, lower(title) AS low, length(title) AS len,"
            + " title || '#' || author_id AS tagged FROM diff_articles WHERE author_id BETWEEN 0 AND 8"));
    q.add(unorderedLabeled("like_patterns",
        "SELECT id, title FROM diff_articles"
            + " WHERE title LIKE 'data%' OR title LIKE '%sharding' OR title LIKE '_ash %'"));
    q.add(unorderedLabeled("arithmetic_integer_semantics",
        "SELECT id, word_count * 2 + author_id AS score, word_count / 7 AS int_div,"
            + " word_count % 7 AS remainder, -word_count AS neg, abs(word_count) AS absval"
            + " FROM diff_articles WHERE author_id BETWEEN 1 AND 10"));
    q.add(unorderedLabeled("numeric_division_rounded",
        "SELECT id, round(word_count / 3.0, 4) AS third,"
            + " CAST(word_count AS numeric) / 4 AS quarter FROM diff_articles WHERE author_id < 5"));
    q.add(unorderedLabeled("coalesce",
        "SELECT id, coalesce(title, '(untitled)') AS title, coalesce(word_count, 0) AS words"
            + " FROM diff_articles WHERE author_id > 30"));
    q.add(unorderedLabeled("boolean_expression",
        "SELECT id, word_count > 2500 AS big FROM diff_articles WHERE author_id IN (10, 11)"));
    q.add(orderedLabeled("date_comparisons",
        "SELECT id, published FROM diff_articles"
            + " WHERE published >= DATE '2018-01-01' AND published < '2018-07-01' ORDER BY published, id"));
    q.add(orderedLabeled("extract_year_grouped",
        "SELECT extract(year FROM published) AS yr, count(*) AS n FROM diff_articles"
            + " GROUP BY extract(year FROM published) ORDER BY yr NULLS FIRST"));
    q.add(unorderedLabeled("round_of_avg",
        "SELECT round(avg(word_count), 2) AS r, round(avg(author_id), 3) AS ra FROM diff_articles"));
    q.add(orderedLabeled("postgres_cast_to_text",
        "SELECT id, word_count::text AS words, published::text AS day FROM diff_articles"
            + " WHERE author_id BETWEEN 20 AND 22 ORDER BY id"));
    q.add(orderedLabeled("concat_skips_nulls",
        "SELECT id, concat(title, '/', word_count) AS c FROM diff_articles"
            + " WHERE author_id IN (12, 13) ORDER BY id"));
    q.add(orderedLabeled("date_plus_integer",
        "SELECT id, published + 30 AS later FROM diff_articles WHERE author_id IN (14, 15) ORDER BY id"));
    q.add(orderedLabeled("date_trunc_month",
        "SELECT date_trunc('month', published) AS month, count(*) AS n FROM diff_articles"
            + " GROUP BY date_trunc('month', published) ORDER BY month NULLS FIRST"));
    q.add(unorderedLabeled("bool_and_every",
        "SELECT author_id, bool_and(word_count > 0) AS all_positive, every(title IS NOT NULL) AS titled"
            + " FROM diff_articles GROUP BY author_id"));
    // --- empty results ---
    q.add(unorderedLabeled("contradiction_on_partition_column",
        "SELECT * FROM diff_articles WHERE author_id = 1 AND author_id = 2"));
    q.add(unorderedLabeled("empty_distributed_table_without_shards",
        "SELECT * FROM diff_empty"));
    q.add(unorderedLabeled("count_on_empty_distributed_table",
        "SELECT count(*) AS n, max(v) AS top FROM diff_empty"));
    return q;
  }

  static Stream<Arguments> allQueries() {
    return queries().stream().map(each -> Arguments.of(Named.of(each.name(), each)));
  }

  static Stream<Arguments> labeledQueries() {
    return queries().stream().filter(Query::labels)
        .map(each -> Arguments.of(Named.of(each.name(), each)));
  }

  // ---------------------------------------------------------------------------------------
  // Data
  // ---------------------------------------------------------------------------------------

  /** One article row; fields may be null except the keys. */
  private record Article(long id, long authorId, String title, Integer wordCount,
      LocalDate published) {
  }

  /** One author row. */
  private record Author(long id, String name, String country) {
  }

  private static List<Article> articles() {
    Random random = new Random(SEED);
    List<Article> rows = new ArrayList<>();
    LocalDate start = LocalDate.of(2015, 1, 1);
    for (int i = 1; i <= ARTICLES; i++) {
      long author = random.nextInt(46) - 5; // -5 .. 40, about 11 articles each
      String title;
      int pick = random.nextInt(100);
      if (pick < 8) {
        title = null;
      } else if (pick < 12) {
        title = SPECIAL_TITLES[random.nextInt(SPECIAL_TITLES.length)];
      } else {
        title = WORDS[random.nextInt(WORDS.length)] + " " + WORDS[random.nextInt(WORDS.length)];
      }
      Integer words;
      int wordPick = random.nextInt(100);
      if (wordPick < 8) {
        words = null;
      } else if (wordPick < 12) {
        words = 1000; // a frequent duplicate
      } else {
        words = random.nextInt(5100) - 100; // -100 .. 4999
      }
      LocalDate published = random.nextInt(100) < 8 ? null : start.plusDays(random.nextInt(2190));
      rows.add(new Article(i, author, title, words, published));
    }
    return rows;
  }

  private static List<Author> authors() {
    List<Author> rows = new ArrayList<>();
    for (long id = -5; id <= 44; id++) {
      if (id % 9 == 4) {
        continue; // some authors of articles are missing from the local table
      }
      rows.add(new Author(id, "author " + id, COUNTRIES[(int) Math.floorMod(id, COUNTRIES.length)]));
    }
    return rows;
  }

  @BeforeAll
  static void load() throws SQLException {
    spar = SparTestCluster.spar();
    reference = SparTestCluster.coordinator();
    List<Article> articles = articles();
    List<Author> authors = authors();

    String articlesDdl = "CREATE TABLE diff_articles (id bigint NOT NULL, author_id bigint NOT NULL,"
        + " title text, word_count int, published date)";
    String authorsDdl = "CREATE TABLE diff_authors (id bigint, name text, country text)";
    String emptyDdl = "CREATE TABLE diff_empty (k bigint, v text)";

    try (Statement s = reference.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + REFERENCE_SCHEMA + " CASCADE");
      s.execute("CREATE SCHEMA " + REFERENCE_SCHEMA);
      s.execute("SET search_path = " + REFERENCE_SCHEMA);
      s.execute(articlesDdl);
      s.execute(authorsDdl);
      s.execute(emptyDdl);
    }
    try (Statement s = spar.createStatement()) {
      s.execute("DROP TABLE IF EXISTS diff_articles");
      s.execute("DROP TABLE IF EXISTS diff_authors");
      s.execute("DROP TABLE IF EXISTS diff_empty");
      s.execute(articlesDdl);
      s.execute(authorsDdl);
      s.execute(emptyDdl);
      s.execute("SELECT master_create_distributed_table('diff_articles', 'author_id', 'hash')");
      s.execute("SELECT master_create_worker_shards('diff_articles', 8, 2)");
      s.execute("SELECT master_create_distributed_table('diff_empty', 'k', 'hash')");
    }
    String insertArticle = "INSERT INTO diff_articles (id, author_id, title, word_count, published)"
        + " VALUES (?, ?, ?, ?, ?)";
    for (Connection connection : List.of(spar, reference)) {
      try (PreparedStatement ps = connection.prepareStatement(insertArticle)) {
        for (Article a : articles) {
          ps.setLong(1, a.id());
          ps.setLong(2, a.authorId());
          ps.setString(3, a.title());
          if (a.wordCount() == null) {
            ps.setNull(4, Types.INTEGER);
          } else {
            ps.setInt(4, a.wordCount());
          }
          if (a.published() == null) {
            ps.setNull(5, Types.DATE);
          } else {
            ps.setObject(5, a.published());
          }
          assertEquals(1, ps.executeUpdate(), "inserting article " + a.id());
        }
      }
    }
    String insertAuthor = "INSERT INTO diff_authors (id, name, country) VALUES (?, ?, ?)";
    for (Connection connection : List.of(spar, reference)) {
      try (PreparedStatement ps = connection.prepareStatement(insertAuthor)) {
        for (Author a : authors) {
          ps.setLong(1, a.id());
          ps.setString(2, a.name());
          ps.setString(3, a.country());
          assertEquals(1, ps.executeUpdate(), "inserting author " + a.id());
        }
      }
    }
    // The local table really is local, and the distributed one really lives on the workers.
    try (Connection coordinator = SparTestCluster.coordinator();
        Statement s = coordinator.createStatement()) {
      assertEquals(List.of(List.of("N:" + authors.size())),
          normalizedRows(s.executeQuery("SELECT count(*) FROM public.diff_authors")),
          "diff_authors must be a plain table on the coordinator");
      assertEquals(List.of(List.of("N:0")),
          normalizedRows(s.executeQuery("SELECT count(*) FROM public.diff_articles")),
          "rows of diff_articles must be on the shards, not in the coordinator's shell table");
    }
  }

  @AfterAll
  static void close() throws SQLException {
    if (!LABEL_MISMATCHES.isEmpty()) {
      System.out.println("DifferentialQueryTest label mismatches (" + LABEL_MISMATCHES.size() + "):");
      LABEL_MISMATCHES.forEach(each -> System.out.println("  " + each));
    }
    if (spar != null) {
      spar.close();
    }
    if (reference != null) {
      try (Statement s = reference.createStatement()) {
        s.execute("DROP SCHEMA IF EXISTS " + REFERENCE_SCHEMA + " CASCADE");
      }
      reference.close();
    }
  }

  // ---------------------------------------------------------------------------------------
  // Tests
  // ---------------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @MethodSource("allQueries")
  void sameResultAsPostgres(Query query) throws SQLException {
    Result expected = runReference(query);
    Result actual = runSpar(query);
    assertEquals(expected.labels().size(), actual.labels().size(), () -> "column count differs for "
        + query.sql() + "\n  PostgreSQL columns: " + expected.labels()
        + "\n  Spar columns:       " + actual.labels());
    List<String> expectedRows = render(expected.rows(), query.ordered());
    List<String> actualRows = render(actual.rows(), query.ordered());
    if (!expectedRows.equals(actualRows)) {
      fail("results differ (" + (query.ordered() ? "in order" : "as multisets") + ") for\n  "
          + query.sql() + "\n" + (query.ordered()
              ? describeDifference(expectedRows, actualRows)
              : describeMultisetDifference(expectedRows, actualRows)));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("labeledQueries")
  void sameColumnLabelsAsPostgres(Query query) throws SQLException {
    Result expected = runReference(query);
    Result actual = runSpar(query);
    if (!expected.labels().equals(actual.labels())) {
      String message = query.name() + ": PostgreSQL " + expected.labels() + " vs Spar "
          + actual.labels();
      LABEL_MISMATCHES.add(message);
      fail("column labels differ for\n  " + query.sql() + "\n  " + message);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Running and comparing
  // ---------------------------------------------------------------------------------------

  /** Column labels and normalized rows of one result. */
  private record Result(List<String> labels, List<List<String>> rows) {
  }

  private static Result runReference(Query query) throws SQLException {
    try {
      return run(reference, query.sql());
    } catch (SQLException e) {
      throw new AssertionError("the reference query itself failed on PostgreSQL (test bug): "
          + query.sql(), e);
    }
  }

  private static Result runSpar(Query query) throws SQLException {
    try {
      return run(spar, query.sql());
    } catch (SQLException | RuntimeException e) {
      // A failed statement must not poison the queries after it.
      reopenSpar();
      throw new AssertionError("query failed through Spar: " + query.sql() + "\n  "
          + e.getClass().getSimpleName() + " [SQLState "
          + (e instanceof SQLException sql ? sql.getSQLState() : "-") + "]: " + e.getMessage(), e);
    }
  }

  private static void reopenSpar() {
    try {
      spar.close();
    } catch (SQLException | RuntimeException ignored) {
      // replaced below anyway
    }
    try {
      spar = SparTestCluster.spar();
    } catch (SQLException e) {
      throw new IllegalStateException("could not reconnect through Spar", e);
    }
  }

  private static Result run(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      ResultSetMetaData meta = rs.getMetaData();
      List<String> labels = new ArrayList<>();
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        labels.add(meta.getColumnLabel(i));
      }
      return new Result(labels, normalizedRows(rs));
    }
  }

  private static List<List<String>> normalizedRows(ResultSet rs) throws SQLException {
    try (rs) {
      int columns = rs.getMetaData().getColumnCount();
      List<List<String>> rows = new ArrayList<>();
      while (rs.next()) {
        List<String> row = new ArrayList<>(columns);
        for (int i = 1; i <= columns; i++) {
          row.add(normalize(rs.getObject(i)));
        }
        rows.add(row);
      }
      return rows;
    }
  }

  /**
   * Returns a typed text form of {@code value} that is equal for equal values of different
   * representations, and different for different values.
   */
  static String normalize(Object value) {
    if (value == null) {
      return "NULL";
    }
    if (value instanceof BigDecimal decimal) {
      return "N:" + canonical(decimal);
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        return "N:" + d;
      }
      return "N:" + canonical(new BigDecimal(value.toString()));
    }
    if (value instanceof Long || value instanceof Integer || value instanceof Short
        || value instanceof Byte || value instanceof BigInteger) {
      return "N:" + canonical(new BigDecimal(value.toString()));
    }
    if (value instanceof java.sql.Date date) {
      return "D:" + date.toLocalDate();
    }
    if (value instanceof LocalDate date) {
      return "D:" + date;
    }
    if (value instanceof Timestamp timestamp) {
      return "T:" + timestamp.toLocalDateTime();
    }
    if (value instanceof LocalDateTime dateTime) {
      return "T:" + dateTime;
    }
    if (value instanceof OffsetDateTime dateTime) {
      return "TZ:" + dateTime.toInstant();
    }
    if (value instanceof Boolean bool) {
      return "B:" + bool;
    }
    if (value instanceof String string) {
      return "S:" + string;
    }
    return value.getClass().getSimpleName() + ":" + value;
  }

  private static String canonical(BigDecimal decimal) {
    return decimal.signum() == 0 ? "0" : decimal.stripTrailingZeros().toPlainString();
  }

  private static List<String> render(List<List<String>> rows, boolean ordered) {
    List<String> rendered = new ArrayList<>(rows.size());
    for (List<String> row : rows) {
      rendered.add(String.join(" | ", row));
    }
    if (!ordered) {
      Collections.sort(rendered);
    }
    return rendered;
  }

  private static String describeMultisetDifference(List<String> expected, List<String> actual) {
    List<String> missing = new ArrayList<>(expected);
    List<String> extra = new ArrayList<>();
    for (String each : actual) {
      if (!missing.remove(each)) {
        extra.add(each);
      }
    }
    StringBuilder out = new StringBuilder();
    out.append("  PostgreSQL rows: ").append(expected.size())
        .append(", Spar rows: ").append(actual.size()).append('\n');
    out.append("  only in PostgreSQL (").append(missing.size()).append("):\n");
    missing.stream().limit(MAX_SHOWN_DIFFERENCES).forEach(e -> out.append("    ").append(e).append('\n'));
    out.append("  only in Spar (").append(extra.size()).append("):\n");
    extra.stream().limit(MAX_SHOWN_DIFFERENCES).forEach(e -> out.append("    ").append(e).append('\n'));
    return out.toString();
  }

  private static String describeDifference(List<String> expected, List<String> actual) {
    StringBuilder out = new StringBuilder();
    out.append("  PostgreSQL rows: ").append(expected.size())
        .append(", Spar rows: ").append(actual.size()).append('\n');
    int shown = 0;
    int size = Math.max(expected.size(), actual.size());
    for (int i = 0; i < size && shown < MAX_SHOWN_DIFFERENCES; i++) {
      String e = i < expected.size() ? expected.get(i) : "<none>";
      String a = i < actual.size() ? actual.get(i) : "<none>";
      if (!e.equals(a)) {
        out.append("  row ").append(i).append(":\n    PostgreSQL: ").append(e)
            .append("\n    Spar:       ").append(a).append('\n');
        shown++;
      }
    }
    return out.toString();
  }
}
