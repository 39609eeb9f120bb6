package io.speedling.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hierynomus.sshj.transport.cipher.GcmCiphers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import net.schmizz.sshj.common.SecurityUtils;
import net.schmizz.sshj.transport.cipher.Cipher;
import org.junit.jupiter.api.Test;

class JdkGcmTest {
    private static final Random RANDOM = new Random(42);

    @Test
    void usesTheJdksAesGcmEvenWithBouncyCastleRegistered() {
        assertThat(SecurityUtils.isBouncyCastleRegistered()).isTrue();
        JdkGcm c = (JdkGcm) JdkGcm.factory("aes128-gcm@openssh.com", 128).create();
        c.init(Cipher.Mode.Encrypt, bytes(16), bytes(12));
        assertThat(c.provider()).isEqualTo("SunJCE");
        assertThat(c.getBlockSize()).isEqualTo(16);
        assertThat(c.getAuthenticationTagSize()).isEqualTo(16);
    }

    @Test
    void packetsPassBetweenItAndSshjsOwnCipherBothWays() {
        for (int keyBits : new int[] {128, 256}) {
            String name = "aes" + keyBits + "-gcm@openssh.com";
            byte[] key = bytes(keyBits / 8);
            byte[] iv = bytes(12);
            Cipher ours = JdkGcm.factory(name, keyBits).create();
            Cipher sshjs = (keyBits == 128 ? GcmCiphers.AES128GCM() : GcmCiphers.AES256GCM()).create();
            ours.init(Cipher.Mode.Encrypt, key, iv);
            sshjs.init(Cipher.Mode.Decrypt, key, iv);
            roundTrips(ours, sshjs);
            Cipher back = JdkGcm.factory(name, keyBits).create();
            Cipher sshjsOut = (keyBits == 128 ? GcmCiphers.AES128GCM() : GcmCiphers.AES256GCM()).create();
            sshjsOut.init(Cipher.Mode.Encrypt, key, iv);
            back.init(Cipher.Mode.Decrypt, key, iv);
            roundTrips(sshjsOut, back);
        }
    }

    @Test
    void aTamperedPacketIsRefused() {
        byte[] key = bytes(16);
        byte[] iv = bytes(12);
        Cipher enc = JdkGcm.factory("aes128-gcm@openssh.com", 128).create();
        Cipher dec = JdkGcm.factory("aes128-gcm@openssh.com", 128).create();
        enc.init(Cipher.Mode.Encrypt, key, iv);
        dec.init(Cipher.Mode.Decrypt, key, iv);
        byte[] packet = seal(enc, "some command".getBytes(StandardCharsets.UTF_8));
        packet[6] ^= 1;
        assertThatThrownBy(() -> open(dec, packet)).hasMessageContaining("Error updating data through cipher");
    }

    /** Several packets in a row: each uses the next nonce, on both sides. */
    private static void roundTrips(Cipher enc, Cipher dec) {
        for (int len : new int[] {16, 32, 4096, 32768}) {
            byte[] plain = bytes(len);
            byte[] packet = seal(enc, plain);
            assertThat(Arrays.copyOfRange(packet, 4, 4 + len)).isNotEqualTo(plain);
            assertThat(open(dec, packet)).isEqualTo(plain);
        }
    }

    /** As sshj's encoder does: the length in clear as associated data, then body and tag in place. */
    private static byte[] seal(Cipher enc, byte[] plain) {
        byte[] buf = new byte[4 + plain.length + 16];
        ByteBuffer.wrap(buf).putInt(plain.length).put(plain);
        enc.updateAAD(buf, 0, 4);
        enc.update(buf, 4, plain.length);
        return buf;
    }

    private static byte[] open(Cipher dec, byte[] packet) {
        byte[] buf = packet.clone();
        int len = ByteBuffer.wrap(buf).getInt();
        dec.updateAAD(buf, 0, 4);
        dec.update(buf, 4, len);
        return Arrays.copyOfRange(buf, 4, 4 + len);
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
