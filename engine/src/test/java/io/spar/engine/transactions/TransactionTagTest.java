package io.spar.engine.transactions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Test case for issue 8 (item 10): the tags that mark distributed transactions on nodes. */
class TransactionTagTest {

  @Test
  void tagsAreMarkedAndDistinctWithinTheJvm() {
    TransactionTag first = TransactionTag.next();
    TransactionTag second = TransactionTag.next();
    assertNotEquals(first, second);
    assertTrue(TransactionTag.isTag(first.value()));
    assertEquals(0x5350L, first.value() >>> 48);
    assertEquals(first.value() >>> 32, second.value() >>> 32,
        "the random 16 bits are chosen once per JVM");
    assertEquals(1, (second.value() - first.value()) & 0xffffffffL, "the counter counts up");
  }

  @Test
  void recognizesOnlyKeysInTheTagSpace() {
    assertTrue(TransactionTag.isTag(0x5350_1234_ffff_ffffL));
    assertFalse(TransactionTag.isTag(0x73706172L));
    assertFalse(TransactionTag.isTag(-1L));
    assertThrows(IllegalArgumentException.class, () -> TransactionTag.of(42));
  }

  @Test
  void valueClassEqualityAndLockStatement() {
    TransactionTag tag = TransactionTag.of(0x5350_00ab_0000_0001L);
    assertEquals(TransactionTag.of(0x5350_00ab_0000_0001L), tag);
    assertEquals(tag.hashCode(), TransactionTag.of(tag.value()).hashCode());
    assertEquals("535000ab00000001", tag.toString());
    assertEquals("SELECT pg_advisory_xact_lock_shared(" + 0x5350_00ab_0000_0001L + ")",
        tag.lockStatement());
  }
}
