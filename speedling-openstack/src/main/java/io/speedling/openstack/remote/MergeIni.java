package io.speedling.openstack.remote;

import io.speedling.core.FileSpec;
import io.speedling.core.NodeContext;
import io.speedling.core.RemoteFunction;
import io.speedling.openstack.config.Ini;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Merges settings onto an INI file on the node (the packaged file when it exists, keeping its
 * comments), written atomically with owner, group and mode. Returns true when anything changed.
 */
public record MergeIni(String path, Map<String, Map<String, String>> settings, String owner, String group, int mode)
        implements RemoteFunction<Boolean> {

    @Override
    public Boolean run(NodeContext node) throws Exception {
        Path p = Path.of(path);
        String before = Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
        String after = Ini.parse(before).merge(settings).render();
        return node.writeFile(path, after.getBytes(StandardCharsets.UTF_8), new FileSpec(owner, group, mode));
    }
}
