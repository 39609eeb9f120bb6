package io.speedling.core;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** Remote functions the tests run on their nodes. */
final class TestFunctions {
    private TestFunctions() {
    }

    record Echo(String text) implements RemoteFunction<String> {
        @Override
        public String run(NodeContext node) {
            return node.nodeName() + ":" + text;
        }
    }

    record WhoAmI() implements RemoteFunction<Map<String, Object>> {
        @Override
        public Map<String, Object> run(NodeContext node) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("node", node.nodeName());
            m.put("roles", node.roles());
            m.put("data", node.data());
            m.put("uid", node.run("id", "-u").check().stdout().trim());
            m.put("pid", ProcessHandle.current().pid());
            return m;
        }
    }

    record AgentPid() implements RemoteFunction<Long> {
        @Override
        public Long run(NodeContext node) {
            return ProcessHandle.current().pid();
        }
    }

    record Fail(String message) implements RemoteFunction<Void> {
        @Override
        public Void run(NodeContext node) {
            throw new IllegalStateException(message, new java.io.IOException("root cause on " + node.nodeName()));
        }
    }

    record Sleep(long millis) implements RemoteFunction<Long> {
        @Override
        public Long run(NodeContext node) throws InterruptedException {
            Thread.sleep(millis);
            return millis;
        }
    }

    record LogLines(String marker, int count) implements RemoteFunction<Integer> {
        @Override
        public Integer run(NodeContext node) {
            for (int i = 0; i < count; i++) {
                node.log().info("{} line {}", marker, i);
            }
            org.slf4j.LoggerFactory.getLogger("custom.component").warn("{} from a plain SLF4J logger", marker);
            return count;
        }
    }

    record Sha256(String path) implements RemoteFunction<String> {
        @Override
        public String run(NodeContext node) throws Exception {
            return sha256(Path.of(path));
        }
    }

    record Stat(String path) implements RemoteFunction<String> {
        @Override
        public String run(NodeContext node) {
            return node.run("stat", "-c", "%U:%G %a %s", path).check().stdout().trim();
        }
    }

    /** Has no type argument binding R: must be refused before sending. */
    @SuppressWarnings("rawtypes")
    record Untyped() implements RemoteFunction {
        @Override
        public Object run(NodeContext node) {
            return null;
        }
    }

    static String sha256(Path p) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(p)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
