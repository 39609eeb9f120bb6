package io.speedling.core.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's JSON for plain values, read and written with jackson-core's streaming parser and
 * generator so that an agent never builds {@link Json#MAPPER} for them: building the mapper and
 * introspecting the first records took about 90 ms of an agent's start (measured 2026-12-04 with
 * its class-data archive; its 140 ms to HELLO went to 90 ms without it), and most remote
 * functions, their results and the protocol's own records are plain.
 *
 * <p>Plain: records without annotations (on the class, its components, their accessors, fields,
 * methods, constructors and their parameters, and the interfaces it implements and their methods),
 * without get/is methods besides their components and with plain
 * components; {@code String}, {@code boolean}, {@code int}, {@code long}, {@code double} and their
 * boxes, {@code byte[]} (base64, as the mapper writes it), enums without annotations, {@code List},
 * {@code Set}, {@code Collection} and {@code Map<String, V>} of plain values, and {@code Object} read
 * as the mapper reads an untyped value. Anything else, and any JSON this reader does not expect
 * (an unknown or missing field, a number where a string belongs, a constructor that throws), gives
 * {@link #NOT_PLAIN} or {@code null}, and the caller uses the mapper, which then behaves (and fails)
 * exactly as it always did. {@code PlainJsonTest} compares both ways with the mapper.
 */
public final class PlainJson {
    /** What {@link #read} gives when the mapper has to read the value. */
    public static final Object NOT_PLAIN = new Object();
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final Map<Class<?>, Boolean> PLAIN = new ConcurrentHashMap<>();
    private static final Map<Class<?>, Shape> SHAPES = new ConcurrentHashMap<>();

    private PlainJson() {
    }

    /** Thrown inside this class when a value is beyond it; never escapes. */
    private static final class NotPlain extends Exception {
        private static final NotPlain INSTANCE = new NotPlain();

        private NotPlain() {
            super(null, null, false, false);
        }
    }

    /** A plain record: its components and canonical constructor. */
    private record Shape(String[] names, Type[] types, Method[] accessors, Constructor<?> constructor,
                         Map<String, Integer> index) {
    }

    /**
     * {@code len} bytes of {@code json} from {@code off} read as {@code type}, as the mapper would
     * read them; {@link #NOT_PLAIN} when the mapper must read them.
     */
    public static Object read(byte[] json, int off, int len, Class<?> type) {
        if (!plain(type)) {
            return NOT_PLAIN;
        }
        try (JsonParser p = FACTORY.createParser(json, off, len)) {
            Object v = value(p, p.nextToken(), type);
            return p.nextToken() == null ? v : NOT_PLAIN;
        } catch (NotPlain | IOException | RuntimeException | LinkageError e) {
            return NOT_PLAIN;
        }
    }

    /** {@code json} read as {@code type}; {@link #NOT_PLAIN} when the mapper must read it. */
    public static Object read(byte[] json, Class<?> type) {
        return read(json, 0, json.length, type);
    }

    /** {@code value} as the JSON the mapper writes for it; null when the mapper must write it. */
    public static byte[] write(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            write(g, value);
        } catch (NotPlain | IOException | RuntimeException e) {
            return null;
        }
        return out.toByteArray();
    }

    /** Whether values declared as {@code type} are plain. */
    static boolean plain(Class<?> type) {
        Boolean known = PLAIN.get(type);
        if (known == null) {
            known = plain(type, new HashSet<>());
            PLAIN.put(type, known);
        }
        return known;
    }

    private static boolean plain(Type t, Set<Class<?>> visiting) {
        if (t instanceof ParameterizedType pt && pt.getRawType() instanceof Class<?> raw) {
            Type[] args = pt.getActualTypeArguments();
            if (raw == List.class || raw == Set.class || raw == Collection.class) {
                return plain(args[0], visiting);
            }
            return raw == Map.class && args[0] == String.class && plain(args[1], visiting);
        }
        if (!(t instanceof Class<?> c)) {
            return false;
        }
        if (c == String.class || c == boolean.class || c == int.class || c == long.class || c == double.class
                || c == Boolean.class || c == Integer.class || c == Long.class || c == Double.class
                || c == byte[].class || c == Object.class) {
            return true;
        }
        if (c.isEnum()) {
            return plainEnum(c);
        }
        if (!c.isRecord()) {
            return false;
        }
        if (!visiting.add(c)) {
            return true;  // a record inside itself: plain if the rest of it is
        }
        Shape s = shape(c);
        if (s == null) {
            return false;
        }
        for (Type ct : s.types()) {
            if (!plain(ct, visiting)) {
                return false;
            }
        }
        return true;
    }

    private static boolean plainEnum(Class<?> c) {
        if (c.getDeclaredAnnotations().length > 0) {
            return false;
        }
        for (java.lang.reflect.Field f : c.getDeclaredFields()) {
            if (f.isEnumConstant() && f.getDeclaredAnnotations().length > 0) {
                return false;
            }
        }
        return true;
    }

    /** The record's shape when nothing in it asks the mapper for something special; else null. */
    private static Shape shape(Class<?> c) {
        Shape known = SHAPES.get(c);
        if (known != null) {
            return known;
        }
        if (!c.isRecord() || c.getDeclaredAnnotations().length > 0 || annotated(c.getDeclaredMethods())
                || annotated(c.getDeclaredConstructors()) || annotatedInterfaces(c)) {
            return null;
        }
        try {
            RecordComponent[] rcs = c.getRecordComponents();
            String[] names = new String[rcs.length];
            Type[] types = new Type[rcs.length];
            Class<?>[] raw = new Class<?>[rcs.length];
            Method[] accessors = new Method[rcs.length];
            Map<String, Integer> index = new HashMap<>();
            Set<String> accessorNames = new HashSet<>();
            for (int i = 0; i < rcs.length; i++) {
                RecordComponent rc = rcs[i];
                names[i] = rc.getName();
                // accessors and the constructor are among the declared methods and constructors checked above
                if (beanLike(names[i]) || rc.getDeclaredAnnotations().length > 0
                        || c.getDeclaredField(names[i]).getDeclaredAnnotations().length > 0) {
                    return null;
                }
                types[i] = rc.getGenericType();
                raw[i] = rc.getType();
                accessors[i] = rc.getAccessor();
                accessors[i].setAccessible(true);
                accessorNames.add(names[i]);
                index.put(names[i], i);
            }
            for (Method m : c.getMethods()) {
                // the mapper writes a getter as a property too: such a record is not plain
                if (!Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 0
                        && !accessorNames.contains(m.getName()) && m.getDeclaringClass() != Object.class
                        && m.getDeclaringClass() != Record.class && getter(m)) {
                    return null;
                }
            }
            Constructor<?> ctor = c.getDeclaredConstructor(raw);
            for (java.lang.annotation.Annotation[] pa : ctor.getParameterAnnotations()) {
                if (pa.length > 0) {
                    return null;
                }
            }
            ctor.setAccessible(true);
            Shape s = new Shape(names, types, accessors, ctor, index);
            SHAPES.put(c, s);
            return s;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Whether any of these methods or constructors carries an annotation (a creator, a renamed getter...). */
    private static boolean annotated(java.lang.reflect.Executable[] executables) {
        for (java.lang.reflect.Executable e : executables) {
            if (e.getDeclaredAnnotations().length > 0) {
                return true;
            }
        }
        return false;
    }

    /** The mapper also honours annotations on the interfaces a class implements and on their methods. */
    private static boolean annotatedInterfaces(Class<?> c) {
        for (Class<?> i : c.getInterfaces()) {
            for (java.lang.annotation.Annotation a : i.getDeclaredAnnotations()) {
                if (a.annotationType() != FunctionalInterface.class) {
                    return true;
                }
            }
            if (annotated(i.getDeclaredMethods()) || annotatedInterfaces(i)) {
                return true;
            }
        }
        return false;
    }

    private static boolean beanLike(String name) {
        for (String prefix : new String[] {"get", "set", "is"}) {
            if (name.length() > prefix.length() && name.startsWith(prefix)
                    && Character.isUpperCase(name.charAt(prefix.length()))) {
                return true;
            }
        }
        return false;
    }

    private static boolean getter(Method m) {
        String n = m.getName();
        if (m.getReturnType() == void.class) {
            return false;
        }
        if (n.startsWith("get") && n.length() > 3) {
            return true;
        }
        return n.startsWith("is") && n.length() > 2
                && (m.getReturnType() == boolean.class || m.getReturnType() == Boolean.class);
    }

    private static Object value(JsonParser p, JsonToken t, Type type) throws IOException, NotPlain {
        if (t == null) {
            throw NotPlain.INSTANCE;
        }
        if (type instanceof ParameterizedType pt) {
            if (t == JsonToken.VALUE_NULL) {
                return null;
            }
            Class<?> raw = (Class<?>) pt.getRawType();
            Type[] args = pt.getActualTypeArguments();
            if (raw == Map.class) {
                return map(p, t, args[1]);
            }
            expect(t, JsonToken.START_ARRAY);
            Collection<Object> out = raw == Set.class ? new HashSet<>() : new ArrayList<>();
            for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                out.add(value(p, e, args[0]));
            }
            return out;
        }
        Class<?> c = (Class<?>) type;
        if (t == JsonToken.VALUE_NULL) {
            if (c.isPrimitive()) {
                throw NotPlain.INSTANCE;  // the mapper refuses a null for a primitive
            }
            return null;
        }
        if (c == String.class) {
            expect(t, JsonToken.VALUE_STRING);
            return p.getText();
        }
        if (c == int.class || c == Integer.class) {
            expect(t, JsonToken.VALUE_NUMBER_INT);
            if (p.getNumberType() != JsonParser.NumberType.INT) {
                throw NotPlain.INSTANCE;
            }
            return p.getIntValue();
        }
        if (c == long.class || c == Long.class) {
            expect(t, JsonToken.VALUE_NUMBER_INT);
            JsonParser.NumberType nt = p.getNumberType();
            if (nt != JsonParser.NumberType.INT && nt != JsonParser.NumberType.LONG) {
                throw NotPlain.INSTANCE;
            }
            return p.getLongValue();
        }
        if (c == double.class || c == Double.class) {
            if (t != JsonToken.VALUE_NUMBER_FLOAT && t != JsonToken.VALUE_NUMBER_INT) {
                throw NotPlain.INSTANCE;
            }
            return p.getDoubleValue();
        }
        if (c == boolean.class || c == Boolean.class) {
            if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
                throw NotPlain.INSTANCE;
            }
            return t == JsonToken.VALUE_TRUE;
        }
        if (c == byte[].class) {
            expect(t, JsonToken.VALUE_STRING);
            return p.getBinaryValue();
        }
        if (c == Object.class) {
            return untyped(p, t);
        }
        if (c.isEnum()) {
            expect(t, JsonToken.VALUE_STRING);
            String name = p.getText();
            for (Object constant : c.getEnumConstants()) {
                if (((Enum<?>) constant).name().equals(name)) {
                    return constant;
                }
            }
            throw NotPlain.INSTANCE;
        }
        return record(p, t, c);
    }

    private static Object record(JsonParser p, JsonToken t, Class<?> c) throws IOException, NotPlain {
        Shape s = shape(c);
        if (s == null) {
            throw NotPlain.INSTANCE;
        }
        expect(t, JsonToken.START_OBJECT);
        Object[] args = new Object[s.names().length];
        boolean[] seen = new boolean[args.length];
        int count = 0;
        for (JsonToken f = p.nextToken(); f == JsonToken.FIELD_NAME; f = p.nextToken()) {
            Integer i = s.index().get(p.currentName());
            if (i == null) {
                throw NotPlain.INSTANCE;  // the mapper refuses unknown properties
            }
            args[i] = value(p, p.nextToken(), s.types()[i]);
            if (!seen[i]) {
                seen[i] = true;
                count++;
            }
        }
        if (count != args.length) {
            throw NotPlain.INSTANCE;
        }
        try {
            return s.constructor().newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw NotPlain.INSTANCE;  // the mapper calls the constructor again and reports its failure
        }
    }

    private static Map<String, Object> map(JsonParser p, JsonToken t, Type valueType) throws IOException, NotPlain {
        expect(t, JsonToken.START_OBJECT);
        Map<String, Object> m = new LinkedHashMap<>();
        for (JsonToken f = p.nextToken(); f == JsonToken.FIELD_NAME; f = p.nextToken()) {
            String key = p.currentName();
            m.put(key, value(p, p.nextToken(), valueType));
        }
        return m;
    }

    /** An untyped value as the mapper reads it: LinkedHashMap, ArrayList, Integer/Long/BigInteger, Double. */
    private static Object untyped(JsonParser p, JsonToken t) throws IOException, NotPlain {
        return switch (t) {
            case START_OBJECT -> map(p, t, Object.class);
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                    list.add(value(p, e, Object.class));
                }
                yield list;
            }
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT -> p.getNumberValue();
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw NotPlain.INSTANCE;
        };
    }

    private static void expect(JsonToken got, JsonToken want) throws NotPlain {
        if (got != want) {
            throw NotPlain.INSTANCE;
        }
    }

    private static void write(JsonGenerator g, Object v) throws IOException, NotPlain {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Integer i) {
            g.writeNumber(i);
        } else if (v instanceof Long l) {
            g.writeNumber(l);
        } else if (v instanceof Double d) {
            g.writeNumber(d);
        } else if (v instanceof java.math.BigInteger big) {
            g.writeNumber(big);
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof byte[] bytes) {
            g.writeBinary(bytes);
        } else if (v instanceof Enum<?> e) {
            if (!plainEnum(e.getDeclaringClass())) {
                throw NotPlain.INSTANCE;
            }
            g.writeString(e.name());
        } else if (v instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (Map.Entry<?, ?> en : m.entrySet()) {
                if (!(en.getKey() instanceof String key)) {
                    throw NotPlain.INSTANCE;
                }
                g.writeFieldName(key);
                write(g, en.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof Collection<?> c) {
            g.writeStartArray();
            for (Object e : c) {
                write(g, e);
            }
            g.writeEndArray();
        } else if (v instanceof Record r) {
            Shape s = shape(r.getClass());
            if (s == null) {
                throw NotPlain.INSTANCE;
            }
            g.writeStartObject();
            for (int i = 0; i < s.names().length; i++) {
                g.writeFieldName(s.names()[i]);
                try {
                    write(g, s.accessors()[i].invoke(r));
                } catch (ReflectiveOperationException e) {
                    throw NotPlain.INSTANCE;
                }
            }
            g.writeEndObject();
        } else {
            throw NotPlain.INSTANCE;
        }
    }
}
