package io.spar.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.spar.outcome.SparErrors;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import org.apache.calcite.avatica.AvaticaSeverity;
import org.apache.calcite.avatica.NoSuchConnectionException;
import org.apache.calcite.avatica.remote.AvaticaRuntimeException;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/** Test case for issue 8, item 8: what a failed RPC reports to the remote client. */
class ErrorReportingServiceTest {
  @Test
  void sqlExceptionWrappedByTheMetaKeepsStateMessageDetailAndHint() {
    SQLException error = SparErrors.error("55000", "could not find any shards",
        "No shards exist.", "Create shards.");
    AvaticaRuntimeException reported = reported(new RuntimeException(error));
    assertEquals("55000", reported.getSqlState());
    assertEquals("ERROR: could not find any shards\n  Detail: No shards exist.\n"
        + "  Hint: Create shards.", reported.getErrorMessage());
    assertEquals(AvaticaSeverity.ERROR, reported.getSeverity());
  }

  @Test
  void batchUpdateExceptionKeepsItsState() {
    BatchUpdateException batch = new BatchUpdateException("Batch entry 0 was aborted", "23505",
        0, new long[0], null);
    AvaticaRuntimeException reported = reported(new RuntimeException(batch));
    assertEquals("23505", reported.getSqlState());
    assertEquals("Batch entry 0 was aborted", reported.getErrorMessage());
  }

  @Test
  void fatalServerErrorIsFatal() {
    PSQLException fatal = new PSQLException(new ServerErrorMessage(
        "SFATAL\0VFATAL\0C57P01\0Mterminating connection due to administrator command\0"));
    AvaticaRuntimeException reported = reported(new RuntimeException(fatal));
    assertEquals("57P01", reported.getSqlState());
    assertEquals(AvaticaSeverity.FATAL, reported.getSeverity());
  }

  @Test
  void errorsWithoutSqlStateAreInternalErrorsNotSuccess() {
    assertEquals("XX000", reported(new RuntimeException(new SQLException("no state")))
        .getSqlState());
    AvaticaRuntimeException plain = reported(new IllegalStateException("broken"));
    assertEquals("XX000", plain.getSqlState());
    assertEquals("java.lang.IllegalStateException: broken", plain.getErrorMessage());
  }

  @Test
  void vendorCodeOfAMissingConnectionIsNotPassedOn() {
    SQLException one = new SQLException("vendor error", "42000", 1);
    assertEquals(0, reported(new RuntimeException(one)).getErrorCode());
    SQLException other = new SQLException("vendor error", "42000", 7);
    assertEquals(7, reported(new RuntimeException(other)).getErrorCode());
  }

  @Test
  void avaticasOwnSignalsPassUnchanged() {
    NoSuchConnectionException missing = new NoSuchConnectionException("gone");
    assertSame(missing, ErrorReportingService.toReported(missing));
    AvaticaRuntimeException already = new AvaticaRuntimeException("m", 1, "42000",
        AvaticaSeverity.ERROR);
    assertSame(already, ErrorReportingService.toReported(already));
  }

  private static AvaticaRuntimeException reported(Throwable failure) {
    return (AvaticaRuntimeException) ErrorReportingService.toReported(failure);
  }
}
