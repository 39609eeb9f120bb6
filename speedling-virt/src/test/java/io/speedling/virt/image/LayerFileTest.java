package io.speedling.virt.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerFileTest {
    @Test
    void aLayerFileHoldsWhatMadeTheLayerButNotWhereTheCacheIs(@TempDir Path tmp) throws Exception {
        String key = "ab".repeat(32);
        Path dir = Files.createDirectories(tmp.resolve("layers").resolve(key));
        LayerInfo info = new LayerInfo(key, null, "packages", "packages curl", 1.5, "2026-12-03T20:00:00Z", 42,
                Path.of("/elsewhere"));
        ImageCache.writeLayerFile(dir.resolve("layer.json"), info);
        String json = Files.readString(dir.resolve("layer.json"));
        assertThat(json).contains("\"key\" : \"" + key + "\"").contains("\"sizeBytes\" : 42").doesNotContain("dir")
                .doesNotContain("elsewhere");
        LayerInfo read = ImageCache.open(tmp).layer(key).orElseThrow();
        assertThat(read.dir()).isEqualTo(dir);
        assertThat(read.description()).isEqualTo("packages curl");
        assertThat(read.tree()).isEqualTo(dir.resolve("tree"));
    }
}
