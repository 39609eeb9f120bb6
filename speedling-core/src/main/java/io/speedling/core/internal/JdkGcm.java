package io.speedling.core.internal;

import com.hierynomus.sshj.transport.cipher.GcmCipher;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import javax.crypto.Cipher;
import net.schmizz.sshj.common.Factory;

/**
 * SSH's AES-GCM ciphers on the JDK's own AES-GCM, whatever provider sshj is set to use.
 * sshj takes every cipher from BouncyCastle once it has registered it (the default), and
 * BouncyCastle's AES runs in plain Java. Measured on loopback (2026-12-04, 3 nodes, 512 MiB
 * each, a program that does not call preferJdkCrypto): streams went at 65-69 MiB/s with the
 * controller spending ~21 s of CPU per GiB before, at 196-234 MiB/s and 1.7-3.6 s with this
 * class; the JDK's AES-GCM uses the CPU's AES and carry-less multiply instructions. Only the
 * cipher is chosen here; key exchange and signatures stay with sshj's
 * provider ({@link io.speedling.core.Fleet#preferJdkCrypto()} moves those too, for the whole JVM).
 */
final class JdkGcm extends GcmCipher {
    /** The JDK's provider of AES-GCM in every OpenJDK build. */
    private static final String PROVIDER = "SunJCE";

    private JdkGcm(int keyBytes) {
        // the arguments sshj's own GcmCiphers factories pass: 12-byte nonce, 16-byte tag
        super(12, 16, keyBytes, "AES", "AES/GCM/NoPadding");
    }

    /** A factory under the name the server offers, making ciphers of {@code keyBits}. */
    static Factory.Named<net.schmizz.sshj.transport.cipher.Cipher> factory(String name, int keyBits) {
        return new Factory.Named<>() {
            @Override
            public net.schmizz.sshj.transport.cipher.Cipher create() {
                return new JdkGcm(keyBits / 8);
            }

            @Override
            public String getName() {
                return name;
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    /** The provider of the cipher in use (for tests). */
    String provider() {
        return cipher.getProvider().getName();
    }

    @Override
    protected void initCipher(Cipher fromSshj, Mode mode, byte[] key, byte[] iv)
            throws InvalidKeyException, InvalidAlgorithmParameterException {
        Cipher c = fromSshj;
        try {
            c = Cipher.getInstance("AES/GCM/NoPadding", PROVIDER);
        } catch (GeneralSecurityException e) {
            // a JDK without SunJCE's AES-GCM: sshj's own choice works, only slower
        }
        cipher = c;
        super.initCipher(c, mode, key, iv);
    }
}
