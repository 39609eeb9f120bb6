package io.speedling.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.speedling.core.CommandResult;
import io.speedling.core.FileSpec;
import io.speedling.core.functions.Ping;
import io.speedling.core.functions.Sh;
import io.speedling.core.functions.WriteFile;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The agent's plain JSON reads and writes what the mapper does, and hands everything else to the
 * mapper (so the mapper's behaviour, errors included, is unchanged for it).
 */
class PlainJsonTest {

    enum Colour { RED, GREEN }

    enum Flagged { @JsonProperty("on") ON, OFF }

    record Disk(String path, long sizeBytes, List<Integer> parts) {
    }

    record Everything(String s, boolean b, int i, long l, double d, Boolean bb, Integer ii, Long ll, Double dd,
                      byte[] bytes, Colour colour, List<String> list, Set<Long> set, Map<String, Disk> disks,
                      Map<String, Object> untyped, Disk disk, List<List<Colour>> nested, Object anything) {
    }

    record Tree(String name, List<Tree> children) {
    }

    record Annotated(@JsonProperty("n") String name) {
    }

    record WithGetter(String name) {
        public String getUpper() {
            return name.toUpperCase();
        }
    }

    record WithIgnored(String name, @JsonIgnore String secret) {
    }

    record Checked(int port) {
        Checked {
            if (port <= 0) {
                throw new IllegalArgumentException("port " + port + " must be positive");
            }
        }
    }

    record WithCreator(String name) {
        @com.fasterxml.jackson.annotation.JsonCreator
        static WithCreator of(@JsonProperty("n") String n) {
            return new WithCreator(n);
        }
    }

    @com.fasterxml.jackson.annotation.JsonTypeInfo(use = com.fasterxml.jackson.annotation.JsonTypeInfo.Id.NAME)
    interface Typed {
    }

    record TypedRecord(String name) implements Typed {
    }

    interface Renamed {
        @JsonProperty("renamed")
        String name();
    }

    record RenamedRecord(String name) implements Renamed {
    }

    record NotPlainParts(Path path, Optional<String> maybe, BigInteger big, float f) {
    }

    private static Everything everything() {
        Map<String, Object> untyped = new LinkedHashMap<>();
        untyped.put("name", "ctl-1 \u00fcn\u00ef \"quoted\"\n");
        untyped.put("small", 7);
        untyped.put("long", 5_000_000_000L);
        untyped.put("huge", new BigInteger("123456789012345678901234567890"));
        untyped.put("ratio", 0.25);
        untyped.put("on", true);
        untyped.put("nothing", null);
        untyped.put("list", Arrays.asList(1, "two", null, List.of(3.5), Map.of("k", "v")));
        return new Everything("text", true, -3, 1L << 40, 2.5e-7, null, 42, -7L, -0.5,
                "bytes \u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1), Colour.GREEN, List.of("a", "b"),
                Set.of(1L, 2L), Map.of("root", new Disk("/", 10, List.of(1))), untyped,
                new Disk("/var", 0, List.of()), List.of(List.of(Colour.RED), List.of()), Map.of("x", List.of(1)));
    }

    @Test
    void readsPlainValuesAsTheMapperDoes() throws IOException {
        Everything e = everything();
        byte[] json = Json.MAPPER.writeValueAsBytes(e);
        Everything byMapper = Json.MAPPER.readValue(json, Everything.class);
        Object plain = PlainJson.read(json, Everything.class);

        assertThat(plain).isInstanceOf(Everything.class);
        Everything p = (Everything) plain;
        assertThat(p).usingRecursiveComparison().isEqualTo(byMapper);
        assertThat(types(p.untyped())).isEqualTo(types(byMapper.untyped()));
        assertThat(types(p.anything())).isEqualTo(types(byMapper.anything()));
        assertThat(p.set()).isInstanceOf(byMapper.set().getClass());
        assertThat(p.list()).isInstanceOf(byMapper.list().getClass());
        assertThat(p.disks()).isInstanceOf(byMapper.disks().getClass());
        assertThat(p.bytes()).isEqualTo(e.bytes());
    }

    @Test
    void writesWhatTheMapperWrites() throws IOException {
        List<Object> values = new ArrayList<>(List.of(everything(), new Tree("a", List.of(new Tree("b", List.of()))),
                "just text", 12, 3L, 1.5, true, Colour.RED, List.of(Map.of("k", 1)),
                new CommandResult(List.of("sh", "-c", "true"), 0, "out", ""), new FileSpec("root", null, 0644),
                new WriteFile("/etc/x", new byte[] {1, 2, 3}, FileSpec.DEFAULT), new Sh("echo hi", true, 30),
                new Ping(), new Wire.Hello(1, "root", "17", "node-1"), new Wire.Log(20, "l", "m", "t", null),
                Wire.Failure.of(new IllegalStateException("boom"))));
        values.add(null);
        for (Object v : values) {
            byte[] plain = PlainJson.write(v);
            assertThat(plain).as("plain JSON of %s", v).isNotNull();
            JsonNode mine = Json.MAPPER.readTree(plain);
            JsonNode mapper = Json.MAPPER.readTree(Json.MAPPER.writeValueAsBytes(v));
            assertThat(mine).as("JSON of %s", v).isEqualTo(mapper);
        }
    }

    @Test
    void theProtocolsOwnRecordsGoBothWays() throws IOException {
        Wire.Init init = new Wire.Init("ctl-1", Set.of("controller", "compute"), everything().untyped(), 20, 1000,
                15000);
        byte[] json = Json.MAPPER.writeValueAsBytes(init);
        assertThat(PlainJson.read(json, Wire.Init.class)).isEqualTo(Json.MAPPER.readValue(json, Wire.Init.class));
        byte[] nulls = "{\"node\":null,\"roles\":null,\"data\":null,\"logLevel\":40,\"heartbeatMillis\":1,\"timeoutMillis\":2}"
                .getBytes(StandardCharsets.UTF_8);
        assertThat(PlainJson.read(nulls, Wire.Init.class)).isEqualTo(Json.MAPPER.readValue(nulls, Wire.Init.class));
        Wire.StreamOpen open = new Wire.StreamOpen("/etc/x", "root", null, 0640);
        assertThat(PlainJson.read(Json.MAPPER.writeValueAsBytes(open), Wire.StreamOpen.class)).isEqualTo(open);
        Sh sh = new Sh("systemctl restart x", false, 90);
        assertThat(PlainJson.read(Json.MAPPER.writeValueAsBytes(sh), Sh.class)).isEqualTo(sh);
    }

    @Test
    void whatIsNotPlainIsLeftToTheMapper() throws IOException {
        // types with something for the mapper to honour
        for (Class<?> c : List.of(Annotated.class, WithGetter.class, WithIgnored.class, NotPlainParts.class,
                Flagged.class, WithCreator.class, TypedRecord.class, RenamedRecord.class)) {
            assertThat(PlainJson.plain(c)).as("%s is plain", c.getSimpleName()).isFalse();
        }
        assertThat(PlainJson.write(new Annotated("x"))).isNull();
        assertThat(PlainJson.write(new WithGetter("x"))).isNull();
        assertThat(PlainJson.write(new TypedRecord("x"))).isNull();
        assertThat(PlainJson.write(new RenamedRecord("x"))).isNull();
        assertThat(PlainJson.write(Flagged.ON)).isNull();
        assertThat(PlainJson.write(Path.of("/x"))).isNull();
        assertThat(PlainJson.write(Map.of(1, "x"))).isNull();
        assertThat(PlainJson.write(List.of(1.5f))).isNull();
        // JSON the mapper would coerce, refuse or report: it still does
        assertThat(read("{\"port\":\"80\"}", Checked.class)).isSameAs(PlainJson.NOT_PLAIN);
        assertThat(read("{\"port\":-1}", Checked.class)).isSameAs(PlainJson.NOT_PLAIN);
        assertThat(read("{\"port\":80,\"colour\":1}", Checked.class)).isSameAs(PlainJson.NOT_PLAIN);
        assertThat(read("{}", Checked.class)).isSameAs(PlainJson.NOT_PLAIN);
        assertThat(read("{\"port\":null}", Checked.class)).isSameAs(PlainJson.NOT_PLAIN);
        assertThat(read("{\"port\":5000000000}", Checked.class)).isSameAs(PlainJson.NOT_PLAIN);
        assertThat(read("{\"port\":80} {}", Checked.class)).isSameAs(PlainJson.NOT_PLAIN);
        assertThat(read("{\"port\":8", Checked.class)).isSameAs(PlainJson.NOT_PLAIN);
        assertThat(read("{\"port\":80}", Checked.class)).isEqualTo(new Checked(80));
        assertThat(read("{\"s\":\"x\",\"colour\":\"BLUE\"}", Everything.class)).isSameAs(PlainJson.NOT_PLAIN);
        assertThat(read("\"NaN\"", Double.class)).isSameAs(PlainJson.NOT_PLAIN);
        assertThat(Json.MAPPER.readValue(PlainJson.write(Double.NaN), Double.class)).isNaN();
    }

    @Test
    void emptyAndNullBytesGoBothWays() throws IOException {
        for (WriteFile w : List.of(new WriteFile("/x", new byte[0], FileSpec.DEFAULT), new WriteFile("/x", null, null))) {
            byte[] json = Json.MAPPER.writeValueAsBytes(w);
            WriteFile byMapper = Json.MAPPER.readValue(json, WriteFile.class);
            assertThat(PlainJson.read(json, WriteFile.class)).usingRecursiveComparison().isEqualTo(byMapper);
            assertThat(Json.MAPPER.readTree(PlainJson.write(w))).isEqualTo(Json.MAPPER.readTree(json));
        }
    }

    @Test
    void aRecordInsideItselfIsPlain() throws IOException {
        Tree t = new Tree("a", List.of(new Tree("b", List.of()), new Tree("c", null)));
        assertThat(PlainJson.read(Json.MAPPER.writeValueAsBytes(t), Tree.class)).isEqualTo(t);
    }

    private static Object read(String json, Class<?> type) {
        return PlainJson.read(json.getBytes(StandardCharsets.UTF_8), type);
    }

    private static Object types(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> t = new LinkedHashMap<>();
            m.forEach((k, x) -> t.put(k, types(x)));
            return List.of(v.getClass(), t);
        }
        if (v instanceof List<?> l) {
            return List.of(v.getClass(), l.stream().map(PlainJsonTest::types).toList());
        }
        if (v instanceof Set<?> s) {
            return List.of(v.getClass(), new HashSet<>(s.stream().map(PlainJsonTest::types).toList()));
        }
        return v == null ? "null" : v.getClass();
    }
}
