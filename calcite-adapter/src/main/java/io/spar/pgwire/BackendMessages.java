package io.spar.pgwire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The server's messages of protocol version 3, each its type byte, a length word that counts
 * itself, and its fields. They are written one after another into one buffer, which the
 * connection takes and sends whole at its next flush: an answer costs one allocation and one
 * write, whatever the number of its messages.
 */
final class BackendMessages {
  /** A column of a RowDescription. */
  record Field(String name, int tableOid, short column, int typeOid, short typeLength,
      int typeModifier, short format) {
  }

  private static final int INITIAL_CAPACITY = 512;

  private final ByteBufAllocator allocator;
  /** What was written since the last {@link #take()}; null if nothing was. */
  private ByteBuf out;

  BackendMessages(ByteBufAllocator allocator) {
    this.allocator = allocator;
  }

  /** Returns the messages written since the last call, and starts anew; null if none were. */
  ByteBuf take() {
    ByteBuf written = out;
    out = null;
    return written;
  }

  /** Drops what was written and not taken, when the connection ends. */
  void discard() {
    if (out != null) {
      out.release();
      out = null;
    }
  }

  /** Builder of one message's body. */
  final class Message {
    private final ByteBuf buffer;
    private final int start;

    private Message(char type) {
      if (out == null) {
        out = allocator.directBuffer(INITIAL_CAPACITY);
      }
      buffer = out;
      start = buffer.writerIndex();
      buffer.writeByte(type);
      buffer.writeInt(0); // the length, set in done()
    }

    Message int8(int value) {
      buffer.writeByte(value);
      return this;
    }

    Message int16(int value) {
      buffer.writeShort(value);
      return this;
    }

    Message int32(int value) {
      buffer.writeInt(value);
      return this;
    }

    Message bytes(byte[] value) {
      buffer.writeBytes(value);
      return this;
    }

    /** Writes a NUL-terminated UTF-8 string. */
    Message string(String value) {
      buffer.writeCharSequence(value, StandardCharsets.UTF_8);
      buffer.writeByte(0);
      return this;
    }

    void done() {
      buffer.setInt(start + 1, buffer.writerIndex() - start - 1);
    }
  }

  Message message(char type) {
    return new Message(type);
  }

  void authenticationOk() {
    message('R').int32(0).done();
  }

  void authenticationSasl(List<String> mechanisms) {
    Message message = message('R').int32(10);
    mechanisms.forEach(message::string);
    message.int8(0).done();
  }

  void saslContinue(byte[] data) {
    message('R').int32(11).bytes(data).done();
  }

  void saslFinal(byte[] data) {
    message('R').int32(12).bytes(data).done();
  }

  void parameterStatus(String name, String value) {
    message('S').string(name).string(value).done();
  }

  void backendKeyData(int processId, int secret) {
    message('K').int32(processId).int32(secret).done();
  }

  void readyForQuery(char status) {
    message('Z').int8(status).done();
  }

  void rowDescription(List<Field> fields) {
    Message message = message('T').int16(fields.size());
    for (Field each : fields) {
      message.string(each.name()).int32(each.tableOid()).int16(each.column())
          .int32(each.typeOid()).int16(each.typeLength()).int32(each.typeModifier())
          .int16(each.format());
    }
    message.done();
  }

  /** Writes a DataRow of {@code values}, each already in its column's format; null is NULL. */
  void dataRow(byte[][] values) {
    Message message = message('D').int16(values.length);
    for (byte[] each : values) {
      if (each == null) {
        message.int32(-1);
      } else {
        message.int32(each.length).bytes(each);
      }
    }
    message.done();
  }

  void commandComplete(String tag) {
    message('C').string(tag).done();
  }

  void emptyQueryResponse() {
    message('I').done();
  }

  void parseComplete() {
    message('1').done();
  }

  void bindComplete() {
    message('2').done();
  }

  void closeComplete() {
    message('3').done();
  }

  void noData() {
    message('n').done();
  }

  void portalSuspended() {
    message('s').done();
  }

  void parameterDescription(int[] typeOids) {
    Message message = message('t').int16(typeOids.length);
    for (int each : typeOids) {
      message.int32(each);
    }
    message.done();
  }

  /**
   * Writes an ErrorResponse ({@code 'E'}) or NoticeResponse ({@code 'N'}) with {@code fields},
   * keyed by PostgreSQL's field codes ({@code S}, {@code V}, {@code C}, {@code M}, …).
   */
  void report(char type, Map<Character, String> fields) {
    Message message = message(type);
    fields.forEach((code, value) -> {
      if (value != null) {
        message.int8(code).string(value);
      }
    });
    message.int8(0).done();
  }

  /** Writes a CopyInResponse ({@code 'G'}) or CopyOutResponse ({@code 'H'}). */
  void copyResponse(char type, boolean binary, int columns) {
    Message message = message(type).int8(binary ? 1 : 0).int16(columns);
    for (int i = 0; i < columns; i++) {
      message.int16(binary ? 1 : 0);
    }
    message.done();
  }

  void copyData(byte[] data, int offset, int length) {
    Message message = message('d');
    message.buffer.writeBytes(data, offset, length);
    message.done();
  }

  void copyDone() {
    message('c').done();
  }
}
