package io.speedling.core.internal.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.speedling.core.internal.Frames;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.Channels;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FrameInputTest {
    @Test
    void aSinkThatFailsGetsNoMoreAndTheNextFrameIsReadWhole() throws Exception {
        byte[] chunk = new byte[400_000];  // three reading buffers' worth: several pieces
        Arrays.fill(chunk, (byte) 7);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        Frames.Writer w = new Frames.Writer(wire);
        w.write(Frames.STREAM_CHUNK, 5, chunk);
        w.write(Frames.RESULT, 6, "after".getBytes());
        FrameInput in = input(wire.toByteArray());

        assertThat(in.next()).isTrue();
        assertThat(in.type()).isEqualTo(Frames.STREAM_CHUNK);
        assertThat(in.id()).isEqualTo(5);
        int[] pieces = {0};
        Exception failed = in.payloadTo(piece -> {
            if (++pieces[0] == 2) {
                throw new IOException("disk full");
            }
            piece.position(piece.limit());
        });
        assertThat(failed).hasMessage("disk full");
        assertThat(pieces[0]).isEqualTo(2);

        assertThat(in.next()).isTrue();
        Frames.Frame f = in.frame();
        assertThat(f.type()).isEqualTo(Frames.RESULT);
        assertThat(f.id()).isEqualTo(6);
        assertThat(new String(f.payload())).isEqualTo("after");
        assertThat(in.next()).isFalse();
    }

    @Test
    void anEndInsideAFrameIsAnErrorAndABadLengthIsNamed() throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        new Frames.Writer(wire).write(Frames.RESULT, 1, new byte[100]);
        byte[] cut = Arrays.copyOf(wire.toByteArray(), 50);
        FrameInput in = input(cut);
        assertThat(in.next()).isTrue();
        assertThatThrownBy(in::payload).isInstanceOf(EOFException.class);

        assertThatThrownBy(() -> input(new byte[] {0x48, 0x54, 0x54, 0x50, 0, 0, 0, 0, 0, 0, 0, 0, 0}).next())
                .hasMessageContaining("frame length 1213486160");
    }

    private static FrameInput input(byte[] bytes) {
        return new FrameInput(Channels.newChannel(new ByteArrayInputStream(bytes)));
    }
}
