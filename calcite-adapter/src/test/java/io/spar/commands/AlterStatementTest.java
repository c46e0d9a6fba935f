package io.spar.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Tests of {@link AlterStatement}: how ALTER TABLE and ALTER INDEX are written for a shard. */
class AlterStatementTest {
  private static final AlterStatement.Shard SHARD = new AlterStatement.Shard() {
    @Override
    public String object() {
      return "\"public\".\"t_102\"";
    }

    @Override
    public long id() {
      return 102;
    }

    @Override
    public String referenced(String name) {
      return "\"public\".\"" + name + "_202\"";
    }
  };
  private static final AlterStatement.Defaults AS_WRITTEN = AlterStatement.of(Map.of(), Set.of());

  @Test
  void namesBecomeTheShardsNames() throws SQLException {
    assertEquals(List.of("ALTER TABLE IF EXISTS ONLY \"public\".\"t_102\" ADD CONSTRAINT"
        + " \"c_102\" CHECK (n > 0), DROP CONSTRAINT IF EXISTS \"d_102\""),
        shard("/* c */ ALTER TABLE IF EXISTS ONLY t ADD CONSTRAINT c CHECK (n > 0),"
            + " DROP CONSTRAINT IF EXISTS d;"));
    assertEquals(List.of("ALTER TABLE \"public\".\"t_102\" RENAME CONSTRAINT \"A_102\" TO"
        + " \"b_102\""), shard("ALTER TABLE s.t RENAME CONSTRAINT \"A\" TO B"));
    assertEquals(List.of("alter index \"public\".\"t_102\" rename to \"u_102\""),
        shard("alter index t rename to u"));
    assertEquals(List.of("ALTER TABLE \"public\".\"t_102\" RENAME COLUMN a TO b"),
        shard("ALTER TABLE t RENAME COLUMN a TO b"));
  }

  @Test
  void foreignKeysReferenceTheCoLocatedShard() throws SQLException {
    assertEquals(List.of("ALTER TABLE \"public\".\"t_102\" ADD CONSTRAINT \"f_102\" FOREIGN KEY"
        + " (k) REFERENCES \"public\".\"p_202\" (k), ADD COLUMN q int REFERENCES"
        + " \"public\".\"p_202\""), shard("ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (k)"
        + " REFERENCES p (k), ADD COLUMN q int REFERENCES p"));
  }

  @Test
  void unnamedConstraintsAreNoticed() {
    assertTrue(AlterStatement.parse("ALTER TABLE t ADD PRIMARY KEY (k)").orElseThrow()
        .addsUnnamedConstraints());
    assertTrue(AlterStatement.parse("ALTER TABLE t ADD COLUMN c int UNIQUE").orElseThrow()
        .addsUnnamedConstraints());
    assertFalse(AlterStatement.parse("ALTER TABLE t ADD COLUMN c int CONSTRAINT u UNIQUE"
        + " NOT NULL").orElseThrow().addsUnnamedConstraints());
  }

  @Test
  void defaultsTheShardsDoNotKeep() throws SQLException {
    AlterStatement.Defaults defaults =
        AlterStatement.of(Map.of("c", "'2026-12-02'::date"), Set.of("d"));
    assertEquals(List.of("ALTER TABLE \"public\".\"t_102\" ADD COLUMN c date DEFAULT"
        + " '2026-12-02'::date NOT NULL, ALTER COLUMN \"d\" DROP DEFAULT, ALTER COLUMN e"
        + " SET DEFAULT 1", "ALTER TABLE \"public\".\"t_102\" ALTER COLUMN \"c\" DROP DEFAULT"),
        AlterStatement.parse("ALTER TABLE t ADD COLUMN c date DEFAULT current_date NOT NULL,"
            + " ALTER COLUMN d SET DEFAULT now(), ALTER COLUMN e SET DEFAULT 1").orElseThrow()
            .forShard(SHARD, defaults));
  }

  @Test
  void identityChangesStayOnTheShell() throws SQLException {
    assertEquals(List.of(), shard("ALTER TABLE t ALTER COLUMN id RESTART WITH 5"));
    assertEquals(List.of("ALTER TABLE \"public\".\"t_102\" ALTER COLUMN n TYPE bigint"),
        shard("ALTER TABLE t ALTER COLUMN id SET INCREMENT BY 2, ALTER COLUMN n TYPE bigint"));
  }

  @Test
  void unknownActionsAreRefused() {
    SQLException error = assertThrows(SQLException.class, () -> AlterStatement
        .parse("ALTER TABLE t OWNER TO bob").orElseThrow().requireSupported(false));
    assertEquals("0A000", error.getSQLState());
    assertThrows(SQLException.class, () -> AlterStatement
        .parse("ALTER INDEX i ATTACH PARTITION j").orElseThrow().requireSupported(true));
    assertTrue(AlterStatement.parse("ALTER TABLE ALL IN TABLESPACE a SET TABLESPACE b")
        .isEmpty());
  }

  private static List<String> shard(String sql) throws SQLException {
    return AlterStatement.parse(sql).orElseThrow().forShard(SHARD, AS_WRITTEN);
  }
}
