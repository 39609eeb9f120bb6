package io.speedling.core.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.speedling.core.RemoteFunction;
import io.speedling.core.SpeedlingException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one JSON mapper of the wire protocol. No default typing and no polymorphic
 * type ids: every value is read as a type the reader chose, never one the sender
 * names.
 */
public final class Json {
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private static final ConcurrentHashMap<Class<?>, JavaType> RESULT_TYPES = new ConcurrentHashMap<>();

    private Json() {
    }

    /**
     * The declared result type R of a {@code RemoteFunction<R>} implementation.
     *
     * @throws SpeedlingException when the class does not bind R to a concrete type
     */
    public static JavaType resultType(Class<?> functionClass) {
        return RESULT_TYPES.computeIfAbsent(functionClass, c -> {
            JavaType[] params = MAPPER.getTypeFactory().constructType(c).findTypeParameters(RemoteFunction.class);
            if (params.length != 1 || params[0].getRawClass() == Object.class && !declaresObject(c)) {
                throw new SpeedlingException("remote function " + c.getName()
                        + " must name its result type: implement RemoteFunction<YourResult> (use Void for none)");
            }
            return params[0];
        });
    }

    /**
     * {@code value} written as JSON and read back as {@code type}: what an agent on another node
     * receives, for nodes that run in this JVM (or only record) and must behave like remote ones.
     */
    public static <T> T roundTrip(Object value, JavaType type) throws java.io.IOException {
        return MAPPER.readValue(MAPPER.writeValueAsBytes(value), type);
    }

    private static boolean declaresObject(Class<?> c) {
        for (java.lang.reflect.Type t : c.getGenericInterfaces()) {
            if (t instanceof java.lang.reflect.ParameterizedType p && p.getRawType() == RemoteFunction.class
                    && p.getActualTypeArguments()[0] == Object.class) {
                return true;
            }
        }
        return false;
    }
}
