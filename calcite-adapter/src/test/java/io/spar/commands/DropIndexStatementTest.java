package io.spar.commands;

import io.spar.parser.SqlTokens;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Test case for issue 8, item 7: reading DROP INDEX as PostgreSQL's grammar has it. */
class DropIndexStatementTest {
  @Test
  void plainName() {
    assertEquals(new DropIndexStatement(false, false, List.of("idx"), false),
        parse("DROP INDEX idx"));
  }

  @Test
  void everyOptionQuotedQualifiedAndCommented() {
    assertEquals(new DropIndexStatement(true, true, List.of("public.\"My \"\"Idx\"\"\""), false),
        parse("-- leading\n/* nested /* comment */ */ drop /* c */ index concurrently"
            + " IF EXISTS public . \"My \"\"Idx\"\"\" RESTRICT;"));
  }

  @Test
  void severalNamesWithCascade() {
    assertEquals(new DropIndexStatement(false, false, List.of("a", "s.b", "\"C\""), true),
        parse("DROP INDEX a, s.b,\"C\" CASCADE"));
  }

  @Test
  void otherFormsAreNotRead() {
    assertTrue(DropIndexStatement.parse("DROP INDEX").isEmpty());
    assertTrue(DropIndexStatement.parse("DROP INDEX a b").isEmpty());
    assertTrue(DropIndexStatement.parse("DROP INDEX a,").isEmpty());
    assertTrue(DropIndexStatement.parse("DROP INDEX U&\"d\\0061t\"").isEmpty());
    assertTrue(DropIndexStatement.parse("DROP TABLE a").isEmpty());
    assertFalse(DropIndexStatement.isDropIndex("DROP TABLE a"));
    assertTrue(DropIndexStatement.isDropIndex("/* x */ DROP INDEX a"));
  }

  @Test
  void shardStatementKeepsConcurrentlyAndCascade() {
    assertEquals("DROP INDEX CONCURRENTLY IF EXISTS \"s\".\"i_7\"",
        parse("DROP INDEX CONCURRENTLY i").onShard("\"s\".\"i_7\""));
    assertEquals("DROP INDEX IF EXISTS \"s\".\"i_7\" CASCADE",
        parse("DROP INDEX i CASCADE").onShard("\"s\".\"i_7\""));
  }

  @Test
  void literalsAndCommentsDoNotHideTokens() {
    List<SqlTokens.Token> tokens = SqlTokens.of(
        "ALTER/*x*/TABLE t -- y\n ADD CHECK (v <> '--' AND w <> E'\\'/*' AND z <> $q$*/$q$)");
    assertEquals(List.of("ALTER", "TABLE", "t", "ADD", "CHECK", "(", "v", "<", ">", "'--'",
        "AND", "w", "<", ">", "E'\\'/*'", "AND", "z", "<", ">", "$q$*/$q$", ")"),
        tokens.stream().map(SqlTokens.Token::text).toList());
  }

  private static DropIndexStatement parse(String sql) {
    Optional<DropIndexStatement> parsed = DropIndexStatement.parse(sql);
    assertTrue(parsed.isPresent(), sql);
    return parsed.get();
  }
}
