package io.junction.core.util;

import io.netty.buffer.ByteBuf;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Appends bytes to a {@link ByteBuf} eight at a time through {@code getLong}/{@code setLong}, allocating
 * nothing. {@code ByteBuf.writeBytes} between direct buffers, or from an array into one, takes a new NIO
 * view of the buffer per call when Netty may not use {@code sun.misc.Unsafe} (its default on Java 25)
 * — with Netty 4.2's adaptive allocator, one {@code ByteBuffer} slice per copy. For the few small copies
 * of a request's path (a kilobyte or two each), that garbage costs more than the copy.
 */
public final class ByteCopy {
    private ByteCopy() {}

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /** Appends {@code length} bytes of {@code src} from {@code index} to {@code dst}; indexes of {@code src} unchanged. */
    public static void append(ByteBuf src, int index, int length, ByteBuf dst) {
        dst.ensureWritable(length);
        int w = dst.writerIndex();
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            dst.setLong(w + i, src.getLong(index + i));
        }
        for (; i < length; i++) {
            dst.setByte(w + i, src.getByte(index + i));
        }
        dst.writerIndex(w + length);
    }

    /** Appends all of {@code src} to {@code dst}. */
    public static void append(byte[] src, ByteBuf dst) {
        append(src, 0, src.length, dst);
    }

    /** Appends {@code length} bytes of {@code src} from {@code offset} to {@code dst}. */
    public static void append(byte[] src, int offset, int length, ByteBuf dst) {
        dst.ensureWritable(length);
        int w = dst.writerIndex();
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            dst.setLong(w + i, (long) LONGS.get(src, offset + i));
        }
        for (; i < length; i++) {
            dst.setByte(w + i, src[offset + i]);
        }
        dst.writerIndex(w + length);
    }
}
