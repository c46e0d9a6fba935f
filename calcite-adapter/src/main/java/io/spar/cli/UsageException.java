package io.spar.cli;

/** A command line that does not make sense; {@link SparMain} prints it with the usage. */
final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
