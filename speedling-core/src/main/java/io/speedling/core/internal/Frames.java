package io.speedling.core.internal;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The agent protocol: length-prefixed frames over the SSH channel's stdin/stdout.
 * A frame is {@code int length, byte type, long id, byte[length - 9] payload}; the
 * id ties results, errors, cancels and stream chunks to their call or stream.
 */
public final class Frames {
    public static final byte INIT = 1;
    public static final byte HELLO = 2;
    public static final byte CALL = 3;
    public static final byte RESULT = 4;
    public static final byte ERROR = 5;
    public static final byte LOG = 6;
    public static final byte STREAM_OPEN = 7;
    public static final byte STREAM_CHUNK = 8;
    public static final byte STREAM_END = 9;
    public static final byte CANCEL = 10;
    public static final byte HEARTBEAT = 11;
    public static final byte CLOSE = 12;
    /** Agent to controller: one stream chunk is on disk (the controller's window for that stream moves on). */
    public static final byte STREAM_ACK = 13;

    /** Largest frame either side accepts; a bigger length means a broken or foreign stream. */
    public static final int MAX_FRAME = 64 * 1024 * 1024;
    private static final int HEADER = 9;
    private static final byte[] EMPTY = new byte[0];

    private Frames() {
    }

    /** Whether a payload of {@code len} bytes fits in one frame. */
    public static boolean fits(long len) {
        return len >= 0 && len <= MAX_FRAME - HEADER;
    }

    /** What to tell the caller about a message too large for one frame. */
    public static String tooLarge(long len) {
        return String.format("a message of %.1f MiB is over the %d MiB one message may carry; move large data as a "
                + "stream (Node.send, Fleet.send) or through a file on the node", len / 1048576.0, MAX_FRAME >> 20);
    }

    /** The payload's size in a frame of length {@code len}; a length no frame has means a broken or foreign stream. */
    public static int payloadSize(int len) throws IOException {
        if (len < HEADER || len > MAX_FRAME) {
            throw new IOException("protocol error: frame length " + len + " outside " + HEADER + ".." + MAX_FRAME);
        }
        return len - HEADER;
    }

    /** A received frame. */
    public record Frame(byte type, long id, byte[] payload) {
    }

    /** Reads one frame; null at a clean end of stream. */
    public static Frame read(DataInputStream in) throws IOException {
        int len;
        try {
            len = in.readInt();
        } catch (EOFException e) {
            return null;
        }
        return readAfterLength(in, len);
    }

    public static Frame readAfterLength(DataInputStream in, int len) throws IOException {
        int size = payloadSize(len);
        byte type = in.readByte();
        long id = in.readLong();
        byte[] payload = size == 0 ? EMPTY : new byte[size];
        in.readFully(payload);
        return new Frame(type, id, payload);
    }

    /** Serialises frames from many threads onto one stream; each frame is flushed whole. */
    public static final class Writer {
        private final OutputStream out;
        private final byte[] header = new byte[4 + HEADER];

        public Writer(OutputStream out) {
            this.out = out;
        }

        public void write(byte type, long id, byte[] payload) throws IOException {
            write(type, id, payload, 0, payload.length);
        }

        /**
         * Writes one frame.
         *
         * @throws IllegalArgumentException when the payload does not fit in a frame: nothing is
         *     written, the stream stays usable, and only the one call or reply fails
         */
        public synchronized void write(byte type, long id, byte[] payload, int off, int len) throws IOException {
            if (!fits(len)) {
                throw new IllegalArgumentException(tooLarge(len));
            }
            int total = len + HEADER;
            header[0] = (byte) (total >>> 24);
            header[1] = (byte) (total >>> 16);
            header[2] = (byte) (total >>> 8);
            header[3] = (byte) total;
            header[4] = type;
            for (int i = 0; i < 8; i++) {
                header[5 + i] = (byte) (id >>> (56 - 8 * i));
            }
            out.write(header);
            out.write(payload, off, len);
            out.flush();
        }

        public void write(byte type, long id) throws IOException {
            write(type, id, EMPTY, 0, 0);
        }

        public void close() {
            try {
                out.close();
            } catch (IOException ignored) {
                // the peer is gone already
            }
        }
    }

    /** CALL payload: type name, then the function as JSON. */
    public static byte[] callPayload(String typeName, byte[] json) {
        byte[] name = typeName.getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[2 + name.length + json.length];
        p[0] = (byte) (name.length >>> 8);
        p[1] = (byte) name.length;
        System.arraycopy(name, 0, p, 2, name.length);
        System.arraycopy(json, 0, p, 2 + name.length, json.length);
        return p;
    }

    public static String callType(byte[] payload) {
        int n = ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
        return new String(payload, 2, n, StandardCharsets.UTF_8);
    }

    public static int callJsonOffset(byte[] payload) {
        return 2 + (((payload[0] & 0xff) << 8) | (payload[1] & 0xff));
    }
}
