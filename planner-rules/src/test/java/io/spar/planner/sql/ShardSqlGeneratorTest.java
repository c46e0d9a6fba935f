package io.spar.planner.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.spar.engine.catalog.TableName;
import io.spar.planner.PlannerFixture;
import java.util.List;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.tools.RelBuilder;
import org.junit.jupiter.api.Test;

/**
 * Tests for {@link ShardSqlGenerator}: the SQL each shard receives for a pushed-down subtree.
 */
final class ShardSqlGeneratorTest {
  private static final TableName ARTICLES = new TableName("public", "articles");

  /** Returns the Spar subtree (below the converter) of the optimized {@code logical}. */
  private static RelNode sparSubtree(RelNode logical) {
    RelNode node = PlannerFixture.optimize(logical);
    while (!node.getClass().getSimpleName().equals("SparToEnumerableConverter")) {
      node = node.getInput(0);
    }
    return node.getInput(0);
  }

  @Test
  void rendersFilterWithShardName() {
    RelBuilder b = PlannerFixture.builder();
    RelNode subtree = sparSubtree(b.scan("articles")
        .filter(b.greaterThan(b.field("word_count"), b.literal(5)))
        .aggregate(b.groupKey(), b.countStar("c")).build());
    ShardSqlGenerator generator = new ShardSqlGenerator(subtree);
    assertEquals("SELECT *\nFROM \"public\".\"articles_102008\"\nWHERE \"word_count\" > 5",
        generator.render(ARTICLES.shardName(102008)).sql());
    assertEquals("SELECT *\nFROM \"public\".\"articles_102009\"\nWHERE \"word_count\" > 5",
        generator.render(ARTICLES.shardName(102009)).sql());
  }

  @Test
  void rendersProjectionAndKeepsLimitOut() {
    RelBuilder b = PlannerFixture.builder();
    RelNode subtree = sparSubtree(b.scan("articles")
        .project(b.field("id"), b.field("title")).limit(0, 10).build());
    assertEquals("SELECT \"id\", \"title\"\nFROM \"public\".\"articles_7\"",
        new ShardSqlGenerator(subtree).render(ARTICLES.shardName(7)).sql());
  }

  @Test
  void recordsParameterOrder() {
    RelBuilder b = PlannerFixture.builder();
    RelDataType bigint = b.getTypeFactory().createSqlType(SqlTypeName.BIGINT);
    RelDataType integer = b.getTypeFactory().createSqlType(SqlTypeName.INTEGER);
    RelNode subtree = sparSubtree(b.scan("articles")
        .filter(b.and(
            b.equals(b.field("word_count"), b.getRexBuilder().makeDynamicParam(integer, 1)),
            b.equals(b.field("author_id"), b.getRexBuilder().makeDynamicParam(bigint, 0))))
        .build());
    ShardSql sql = new ShardSqlGenerator(subtree).render(ARTICLES.shardName(1));
    assertEquals(List.of(1, 0), sql.parameterIndexes(), sql.sql());
    assertEquals("SELECT *\nFROM \"public\".\"articles_1\"\n"
        + "WHERE \"word_count\" = ? AND \"author_id\" = ?", sql.sql());
  }

  @Test
  void rendersLocalTableUnchanged() {
    RelBuilder b = PlannerFixture.builder();
    RelNode subtree = sparSubtree(b.scan("articles")
        .filter(b.isNull(b.field("title"))).build());
    assertEquals("SELECT *\nFROM \"public\".\"articles\"\nWHERE \"title\" IS NULL",
        new ShardSqlGenerator(subtree).render(ARTICLES).sql());
  }
}
