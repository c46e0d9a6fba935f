package io.spar.copy;

import io.spar.outcome.SparErrors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Arrays;

/**
 * The rows of COPY's input in one of its formats, read one at a time: each row's bytes as the
 * input has them (so that they go to a shard unchanged), and the value of one field, which
 * decides the row's shard.
 */
abstract class CopyRows {
  private final InputStream in;
  private final byte[] buffer = new byte[1 << 16];
  private int position;
  private int limit;
  protected byte[] row = new byte[256];
  protected int length;
  protected long line;

  CopyRows(InputStream in) {
    this.in = in;
  }

  /**
   * Returns a reader of {@code statement}'s format over {@code in}; in binary format, fields
   * are read as big-endian integers if {@code integers}, otherwise as UTF-8 text.
   */
  static CopyRows of(CopyStatement statement, InputStream in, boolean integers)
      throws SQLException, IOException {
    return switch (statement.format()) {
      case TEXT -> new Delimited(in, statement.singleByte("delimiter", '\t'),
          statement.nullString("\\N"), false, (byte) 0, (byte) 0, statement.header());
      case CSV -> {
        byte quote = statement.singleByte("quote", '"');
        yield new Delimited(in, statement.singleByte("delimiter", ','),
            statement.nullString(""), true, quote, statement.singleByte("escape", (char) quote),
            statement.header());
      }
      case BINARY -> new Binary(in, integers);
    };
  }

  /** Reads the next row; returns false at the end of the input. */
  abstract boolean next() throws IOException, SQLException;

  /**
   * Returns field {@code index} (0-based) of the current row as text, or null if it is NULL.
   *
   * @throws SQLException with PostgreSQL's error if the row has too few fields
   */
  abstract String field(int index, String column) throws SQLException;

  /** Returns what starts a chunk of rows sent to a shard (the binary header), if anything. */
  byte[] prologue() {
    return new byte[0];
  }

  /** Returns what ends a chunk of rows sent to a shard (the binary trailer), if anything. */
  byte[] epilogue() {
    return new byte[0];
  }

  /** Returns the bytes of the current row, valid until the next call of {@link #next()}. */
  byte[] row() {
    return row;
  }

  /** Returns the length of the current row. */
  int length() {
    return length;
  }

  /** Returns the current row's line number as PostgreSQL counts it in COPY's errors. */
  long line() {
    return line;
  }

  protected int read() throws IOException {
    return available() ? buffer[position++] & 0xff : -1;
  }

  /** Returns whether input is left in the buffer, reading more if it is empty. */
  protected boolean available() throws IOException {
    if (position < limit) {
      return true;
    }
    limit = in.read(buffer);
    position = 0;
    if (limit <= 0) {
      limit = 0;
      return false;
    }
    return true;
  }

  protected byte[] buffer() {
    return buffer;
  }

  protected int position() {
    return position;
  }

  protected int limit() {
    return limit;
  }

  protected void skipTo(int newPosition) {
    position = newPosition;
  }

  protected void appendRange(byte[] from, int start, int end) {
    int count = end - start;
    if (length + count > row.length) {
      row = Arrays.copyOf(row, Math.max(row.length * 2, length + count));
    }
    System.arraycopy(from, start, row, length, count);
    length += count;
  }

  protected void append(int b) {
    if (length == row.length) {
      row = Arrays.copyOf(row, row.length * 2);
    }
    row[length++] = (byte) b;
  }

  /** Text and CSV rows: one per line, outside CSV's quotes. */
  static final class Delimited extends CopyRows {
    private static final byte[] END = {'\\', '.'};
    private final byte delimiter;
    private final byte[] nullString;
    private final boolean csv;
    private final byte quote;
    private final byte escape;
    private boolean header;

    Delimited(InputStream in, byte delimiter, byte[] nullString, boolean csv, byte quote,
        byte escape, boolean header) {
      super(in);
      this.delimiter = delimiter;
      this.nullString = nullString;
      this.csv = csv;
      this.quote = quote;
      this.escape = escape;
      this.header = header;
    }

    @Override
    boolean next() throws IOException {
      while (true) {
        if (!readLine()) {
          return false;
        }
        line++;
        if (header) {
          header = false;
          continue;
        }
        int content = length - (row[length - 1] == '\n' ? 1 : 0);
        content -= content > 0 && row[content - 1] == '\r' ? 1 : 0;
        if (content == 2 && row[0] == END[0] && row[1] == END[1]) {
          return false;
        }
        if (row[length - 1] != '\n') {
          append('\n');
        }
        return true;
      }
    }

    /** Reads up to and including the next newline outside escapes and quotes. */
    private boolean readLine() throws IOException {
      length = 0;
      boolean quoted = false;
      scan:
      while (true) {
        if (!available()) {
          return length > 0;
        }
        byte[] buf = buffer();
        int start = position();
        int end = limit();
        for (int i = start; i < end; i++) {
          byte b = buf[i];
          if (b == '\n' && !quoted) {
            appendRange(buf, start, i + 1);
            skipTo(i + 1);
            return true;
          }
          boolean escapes = csv ? quoted && b == escape && escape != quote : b == '\\';
          if (escapes) {
            if (i + 1 < end) {
              i++; // the escaped byte is data, whatever it is
            } else {
              appendRange(buf, start, end);
              skipTo(end);
              int next = read();
              if (next >= 0) {
                append(next);
              }
              continue scan;
            }
          } else if (csv && b == quote) {
            quoted = !quoted;
          }
        }
        appendRange(buf, start, end);
        skipTo(end);
      }
    }

    @Override
    String field(int index, String column) throws SQLException {
      int end = length;
      while (end > 0 && (row[end - 1] == '\n' || row[end - 1] == '\r')) {
        end--;
      }
      int start = 0;
      int field = 0;
      boolean quoted = false;
      boolean escaped = false;
      for (int i = 0; i <= end; i++) {
        if (i < end && (quoted || row[i] != delimiter)) {
          byte b = row[i];
          if (!csv && b == '\\') {
            escaped = true;
            i++;
          } else if (csv && quoted && b == escape && escape != quote) {
            i++;
          } else if (csv && b == quote) {
            quoted = !quoted;
          }
          continue;
        }
        if (field == index) {
          return value(start, i, escaped);
        }
        field++;
        start = i + 1;
        escaped = false;
      }
      throw SparErrors.error("22P04", "missing data for column \"" + column + "\"");
    }

    /** Returns the value of the field in {@code row[start, end)}, or null if it is NULL. */
    private String value(int start, int end, boolean escaped) {
      if (end - start == nullString.length
          && Arrays.equals(row, start, end, nullString, 0, nullString.length)) {
        return null; // in CSV, a quoted field never matches: it starts with the quote
      }
      if (!csv) {
        return escaped ? unescape(Arrays.copyOfRange(row, start, end))
            : new String(row, start, end - start, StandardCharsets.UTF_8);
      }
      java.io.ByteArrayOutputStream value = new java.io.ByteArrayOutputStream(end - start);
      boolean quoted = false;
      for (int i = start; i < end; i++) {
        byte b = row[i];
        if (quoted && b == escape && i + 1 < end && (row[i + 1] == quote
            || escape != quote && row[i + 1] == escape)) {
          value.write(row[++i]);
        } else if (b == quote) {
          quoted = !quoted;
        } else {
          value.write(b);
        }
      }
      return value.toString(StandardCharsets.UTF_8);
    }

    /** Returns a text-format field's value: backslash escapes replaced by their bytes. */
    private static String unescape(byte[] raw) {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(raw.length);
      for (int i = 0; i < raw.length; i++) {
        byte b = raw[i];
        if (b != '\\' || i + 1 == raw.length) {
          out.write(b);
          continue;
        }
        byte c = raw[++i];
        switch (c) {
          case 'b' -> out.write('\b');
          case 'f' -> out.write('\f');
          case 'n' -> out.write('\n');
          case 'r' -> out.write('\r');
          case 't' -> out.write('\t');
          case 'v' -> out.write(0x0b);
          case 'x' -> {
            int v = 0;
            int digits = 0;
            while (digits < 2 && i + 1 < raw.length && Character.digit(raw[i + 1], 16) >= 0) {
              v = v * 16 + Character.digit(raw[++i], 16);
              digits++;
            }
            out.write(digits == 0 ? 'x' : v);
          }
          default -> {
            if (c >= '0' && c <= '7') {
              int v = c - '0';
              for (int d = 0; d < 2 && i + 1 < raw.length && raw[i + 1] >= '0'
                  && raw[i + 1] <= '7'; d++) {
                v = v * 8 + raw[++i] - '0';
              }
              out.write(v);
            } else {
              out.write(c);
            }
          }
        }
      }
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  /** Binary rows: PostgreSQL's binary COPY tuples after its header. */
  static final class Binary extends CopyRows {
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff,
        '\r', '\n', 0};
    private final boolean integers;
    private boolean started;
    private int[] offsets = new int[16];
    private int[] lengths = new int[16];
    private int fields;

    Binary(InputStream in, boolean integers) {
      super(in);
      this.integers = integers;
    }

    @Override
    boolean next() throws IOException, SQLException {
      if (!started) {
        started = true;
        for (byte each : SIGNATURE) {
          if (read() != (each & 0xff)) {
            throw SparErrors.error("22P04", "COPY file signature not recognized");
          }
        }
        readInt(); // flags
        int extension = readInt();
        for (int i = 0; i < extension; i++) {
          read();
        }
      }
      length = 0;
      int count = readShort();
      if (count == -1 || count == Integer.MIN_VALUE) {
        return false;
      }
      line++;
      append(count >> 8);
      append(count);
      if (offsets.length < count) {
        offsets = new int[count];
        lengths = new int[count];
      }
      fields = count;
      for (int f = 0; f < count; f++) {
        int size = readInt();
        append(size >>> 24);
        append(size >>> 16);
        append(size >>> 8);
        append(size);
        offsets[f] = length;
        lengths[f] = size;
        for (int i = 0; i < size; i++) {
          int b = read();
          if (b < 0) {
            throw SparErrors.error("22P04", "unexpected EOF in COPY data");
          }
          append(b);
        }
      }
      return true;
    }

    private int readShort() throws IOException {
      int high = read();
      int low = read();
      if (high < 0 || low < 0) {
        return Integer.MIN_VALUE;
      }
      return (short) ((high << 8) | low);
    }

    private int readInt() throws IOException, SQLException {
      int value = 0;
      for (int i = 0; i < 4; i++) {
        int b = read();
        if (b < 0) {
          throw SparErrors.error("22P04", "unexpected EOF in COPY data");
        }
        value = (value << 8) | b;
      }
      return value;
    }

    @Override
    String field(int index, String column) throws SQLException {
      if (index >= fields) {
        throw SparErrors.error("22P04", "row field count is " + fields + ", expected more");
      }
      int size = lengths[index];
      if (size < 0) {
        return null;
      }
      int at = offsets[index];
      if (integers && (size == 2 || size == 4 || size == 8)) {
        long value = 0;
        for (int i = 0; i < size; i++) {
          value = (value << 8) | (row[at + i] & 0xff);
        }
        value = size == 2 ? (short) value : size == 4 ? (int) value : value;
        return Long.toString(value);
      }
      return new String(row, at, size, StandardCharsets.UTF_8);
    }

    @Override
    byte[] prologue() {
      return Arrays.copyOf(SIGNATURE, SIGNATURE.length + 8); // flags and extension: 0
    }

    @Override
    byte[] epilogue() {
      return new byte[] {(byte) 0xff, (byte) 0xff};
    }
  }
}
