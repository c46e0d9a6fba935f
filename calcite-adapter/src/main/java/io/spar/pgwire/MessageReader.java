package io.spar.pgwire;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reader of one message body's fields. Every read checks the bounds and the encoding, so that
 * a truncated or malformed message is a {@link ProtocolViolation} (08P01) and invalid UTF-8 is
 * PostgreSQL's 22021, never an exception Spar did not expect.
 */
final class MessageReader {
  private final byte[] body;
  private int position;

  MessageReader(byte[] body) {
    this.body = body;
  }

  int int8() {
    need(1);
    return body[position++] & 0xff;
  }

  int int16() {
    need(2);
    int value = (short) (((body[position] & 0xff) << 8) | (body[position + 1] & 0xff));
    position += 2;
    return value;
  }

  int int32() {
    need(4);
    int value = ((body[position] & 0xff) << 24) | ((body[position + 1] & 0xff) << 16)
        | ((body[position + 2] & 0xff) << 8) | (body[position + 3] & 0xff);
    position += 4;
    return value;
  }

  byte[] bytes(int length) {
    if (length < 0) {
      throw new ProtocolViolation("invalid length " + length + " in message");
    }
    need(length);
    byte[] value = new byte[length];
    System.arraycopy(body, position, value, 0, length);
    position += length;
    return value;
  }

  /** Reads a NUL-terminated string. */
  String string() throws InvalidText {
    int end = position;
    while (end < body.length && body[end] != 0) {
      end++;
    }
    if (end >= body.length) {
      throw new ProtocolViolation("invalid string in message");
    }
    String value = utf8(body, position, end - position);
    position = end + 1;
    return value;
  }

  boolean atEnd() {
    return position >= body.length;
  }

  int remaining() {
    return body.length - position;
  }

  /** Requires the whole body read, as PostgreSQL does. */
  void end() {
    if (!atEnd()) {
      throw new ProtocolViolation("invalid message format");
    }
  }

  private void need(int count) {
    if (count > body.length - position) {
      throw new ProtocolViolation("invalid message format");
    }
  }

  /** Decodes UTF-8 strictly: PostgreSQL refuses invalid byte sequences with 22021. */
  static String utf8(byte[] bytes, int offset, int length) throws InvalidText {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      CharBuffer chars = decoder.decode(ByteBuffer.wrap(bytes, offset, length));
      String text = chars.toString();
      if (text.indexOf('\0') >= 0) {
        throw new InvalidText("invalid byte sequence for encoding \"UTF8\": 0x00");
      }
      return text;
    } catch (CharacterCodingException e) {
      throw new InvalidText("invalid byte sequence for encoding \"UTF8\"");
    }
  }

  /** Text that is not valid UTF-8: PostgreSQL's 22021. */
  static final class InvalidText extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidText(String message) {
      super(message);
    }
  }
}
