package io.spar.pgwire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The server's messages of protocol version 3, written into buffers: each is its type byte,
 * a length word that counts itself, and its fields.
 */
final class BackendMessages {
  /** A column of a RowDescription. */
  record Field(String name, int tableOid, short column, int typeOid, short typeLength,
      int typeModifier, short format) {
  }

  private final ByteBufAllocator allocator;

  BackendMessages(ByteBufAllocator allocator) {
    this.allocator = allocator;
  }

  /** Builder of one message's body. */
  final class Message {
    private final ByteBuf buffer;

    private Message(char type) {
      buffer = allocator.buffer();
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

    ByteBuf done() {
      buffer.setInt(1, buffer.writerIndex() - 1);
      return buffer;
    }
  }

  Message message(char type) {
    return new Message(type);
  }

  ByteBuf authenticationOk() {
    return message('R').int32(0).done();
  }

  ByteBuf authenticationSasl(List<String> mechanisms) {
    Message message = message('R').int32(10);
    mechanisms.forEach(message::string);
    return message.int8(0).done();
  }

  ByteBuf saslContinue(byte[] data) {
    return message('R').int32(11).bytes(data).done();
  }

  ByteBuf saslFinal(byte[] data) {
    return message('R').int32(12).bytes(data).done();
  }

  ByteBuf parameterStatus(String name, String value) {
    return message('S').string(name).string(value).done();
  }

  ByteBuf backendKeyData(int processId, int secret) {
    return message('K').int32(processId).int32(secret).done();
  }

  ByteBuf readyForQuery(char status) {
    return message('Z').int8(status).done();
  }

  ByteBuf rowDescription(List<Field> fields) {
    Message message = message('T').int16(fields.size());
    for (Field each : fields) {
      message.string(each.name()).int32(each.tableOid()).int16(each.column())
          .int32(each.typeOid()).int16(each.typeLength()).int32(each.typeModifier())
          .int16(each.format());
    }
    return message.done();
  }

  /** Returns a DataRow of {@code values}, each already in its column's format; null is NULL. */
  ByteBuf dataRow(byte[][] values) {
    Message message = message('D').int16(values.length);
    for (byte[] each : values) {
      if (each == null) {
        message.int32(-1);
      } else {
        message.int32(each.length).bytes(each);
      }
    }
    return message.done();
  }

  ByteBuf commandComplete(String tag) {
    return message('C').string(tag).done();
  }

  ByteBuf emptyQueryResponse() {
    return message('I').done();
  }

  ByteBuf parseComplete() {
    return message('1').done();
  }

  ByteBuf bindComplete() {
    return message('2').done();
  }

  ByteBuf closeComplete() {
    return message('3').done();
  }

  ByteBuf noData() {
    return message('n').done();
  }

  ByteBuf portalSuspended() {
    return message('s').done();
  }

  ByteBuf parameterDescription(int[] typeOids) {
    Message message = message('t').int16(typeOids.length);
    for (int each : typeOids) {
      message.int32(each);
    }
    return message.done();
  }

  /**
   * Returns an ErrorResponse ({@code 'E'}) or NoticeResponse ({@code 'N'}) with {@code fields},
   * keyed by PostgreSQL's field codes ({@code S}, {@code V}, {@code C}, {@code M}, …).
   */
  ByteBuf report(char type, Map<Character, String> fields) {
    Message message = message(type);
    fields.forEach((code, value) -> {
      if (value != null) {
        message.int8(code).string(value);
      }
    });
    return message.int8(0).done();
  }

  /** Returns a CopyInResponse ({@code 'G'}) or CopyOutResponse ({@code 'H'}). */
  ByteBuf copyResponse(char type, boolean binary, int columns) {
    Message message = message(type).int8(binary ? 1 : 0).int16(columns);
    for (int i = 0; i < columns; i++) {
      message.int16(binary ? 1 : 0);
    }
    return message.done();
  }

  ByteBuf copyData(byte[] data, int offset, int length) {
    Message message = message('d');
    message.buffer.writeBytes(data, offset, length);
    return message.done();
  }

  ByteBuf copyDone() {
    return message('c').done();
  }
}
