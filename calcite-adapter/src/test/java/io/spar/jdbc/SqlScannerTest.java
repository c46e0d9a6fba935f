package io.spar.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SqlScannerTest {

  @Test
  void countsQuestionMarks() {
    assertEquals(0, SqlScanner.countParameters("SELECT 1"));
    assertEquals(2, SqlScanner.countParameters("SELECT * FROM t WHERE a = ? AND b IN (?)"));
    assertEquals(1, SqlScanner.countParameters("INSERT INTO t VALUES(?)"));
  }

  @Test
  void ignoresMarkersInLiteralsIdentifiersAndComments() {
    assertEquals(1, SqlScanner.countParameters("SELECT '?', 'it''s ?', \"a?\" FROM t WHERE x = ?"));
    assertEquals(1, SqlScanner.countParameters("SELECT 1 -- what?\n WHERE x = ?"));
    assertEquals(1, SqlScanner.countParameters("SELECT /* a /* nested? */ still? */ ?"));
    assertEquals(1, SqlScanner.countParameters("SELECT E'\\'?' , ?"));
    assertEquals(1, SqlScanner.countParameters("SELECT $$ ? $$, $tag$ ?$$? $tag$, ?"));
  }

  @Test
  void doubledQuestionMarkIsALiteralOperator() {
    assertEquals(1, SqlScanner.countParameters("SELECT data ?? 'key' FROM t WHERE id = ?"));
  }

  @Test
  void dollarNumbersCountWhenThereAreNoQuestionMarks() {
    assertEquals(3, SqlScanner.countParameters("SELECT $1, $3, $2, '$9'"));
    assertEquals(0, SqlScanner.countParameters("SELECT a$1 FROM t"));
  }

  @Test
  void unterminatedQuotesDoNotLoop() {
    assertEquals(0, SqlScanner.countParameters("SELECT 'abc ?"));
    assertEquals(0, SqlScanner.countParameters("SELECT /* ?"));
    assertEquals(0, SqlScanner.countParameters("SELECT $x$ ?"));
  }

  @Test
  void findsTheLeadingKeyword() {
    assertEquals("INSERT", SqlScanner.leadingKeyword("  /* c */ -- x\n insert into t"));
    assertEquals("SELECT", SqlScanner.leadingKeyword("((select 1))"));
    assertEquals("", SqlScanner.leadingKeyword(""));
    assertTrue(SqlScanner.isModification("UPDATE t SET a = 1"));
    assertTrue(SqlScanner.isModification("delete from t"));
    assertFalse(SqlScanner.isModification("SELECT * FROM t"));
  }
}
