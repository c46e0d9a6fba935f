package io.spar.pgwire;

/**
 * A client broke the protocol (a malformed, truncated or oversized message): PostgreSQL
 * answers with a FATAL 08P01 and closes the connection, and so does Spar.
 */
final class ProtocolViolation extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ProtocolViolation(String message) {
    super(message);
  }
}
