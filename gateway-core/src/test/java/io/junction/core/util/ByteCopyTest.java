package io.junction.core.util;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link ByteCopy} against {@code ByteBuf.writeBytes}: the same bytes, for every length and offset. */
class ByteCopyTest {
    @Test
    void appendsWhatWriteBytesAppends() {
        SplittableRandom random = new SplittableRandom(11);
        byte[] data = new byte[300];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) random.nextInt(256);
        }
        // the source as the server holds a body: a composite of two direct pieces
        ByteBuf direct1 = ByteBufAllocator.DEFAULT.directBuffer().writeBytes(data, 0, 131);
        ByteBuf direct2 = ByteBufAllocator.DEFAULT.directBuffer().writeBytes(data, 131, data.length - 131);
        CompositeByteBuf src = Unpooled.compositeBuffer().addComponents(true, direct1, direct2);
        try {
            for (int index = 0; index < 40; index += 3) {
                for (int length = 0; index + length <= data.length; length += 7) {
                    ByteBuf dst = ByteBufAllocator.DEFAULT.directBuffer(4).writeByte('x');
                    ByteCopy.append(src, index, length, dst);
                    assertThat(dst.readByte()).isEqualTo((byte) 'x');
                    assertThat(ByteBufUtil.getBytes(dst)).isEqualTo(Arrays.copyOfRange(data, index, index + length));
                    assertThat(src.readerIndex()).isZero();
                    dst.release();

                    byte[] piece = Arrays.copyOfRange(data, index, index + length);
                    ByteBuf fromArray = ByteBufAllocator.DEFAULT.directBuffer(1);
                    ByteCopy.append(piece, fromArray);
                    assertThat(ByteBufUtil.getBytes(fromArray)).isEqualTo(piece);
                    fromArray.release();

                    ByteBuf fromOffset = ByteBufAllocator.DEFAULT.directBuffer(1);
                    ByteCopy.append(data, index, length, fromOffset);
                    assertThat(ByteBufUtil.getBytes(fromOffset)).isEqualTo(piece);
                    fromOffset.release();
                }
            }
        } finally {
            src.release();
        }
    }
}
