package io.speedling.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.speedling.core.FileSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {
    @TempDir
    Path tmp;

    @Test
    void contentIsNeverReadableByOthersBeforeItsModeIsSet() throws Exception {
        Path target = tmp.resolve("etc/nova.conf");
        AtomicFile f = new AtomicFile(target.toString(), FileSpec.mode(0640));
        f.write("password = s3cret\n".getBytes(), 0, 18);
        List<Path> temps;
        try (Stream<Path> s = Files.list(target.getParent())) {
            temps = s.toList();
        }
        assertThat(temps).hasSize(1);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(temps.get(0)))).isEqualTo("rw-------");
        assertThat(f.commit()).isEqualTo(18);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rw-r-----");
        assertThat(target).hasContent("password = s3cret");
        try (Stream<Path> s = Files.list(target.getParent())) {
            assertThat(s.toList()).containsExactly(target);
        }
    }

    @Test
    void anAbortedWriteLeavesNothingAndTheOldFileStands() throws Exception {
        Path target = Files.writeString(tmp.resolve("x.conf"), "old");
        AtomicFile f = new AtomicFile(target.toString(), FileSpec.DEFAULT);
        f.write("new".getBytes(), 0, 3);
        f.abort();
        assertThat(target).hasContent("old");
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.toList()).containsExactly(target);
        }
    }
}
