package io.spar.pgwire;

/**
 * One message from a client, framed by {@link MessageFraming}.
 *
 * @param type the message's type byte, such as {@code 'Q'}; 0 for the untyped packets of the
 *     startup phase (StartupMessage, SSLRequest, GSSENCRequest, CancelRequest)
 * @param body the message's contents after its length word
 */
record FrontendMessage(byte type, byte[] body) {
  /** Type of the untyped startup-phase packets. */
  static final byte STARTUP = 0;
}
