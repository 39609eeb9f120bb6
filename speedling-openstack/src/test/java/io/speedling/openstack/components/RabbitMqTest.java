package io.speedling.openstack.components;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class RabbitMqTest {
    @Test
    void theUserGoesInAsDefinitionsWithTheSaltedHashRabbitMqChecks() throws Exception {
        JsonNode defs = new ObjectMapper().readTree(RabbitMq.definitions("openstack", "s3cret \"pw\""));
        assertThat(defs.get("vhosts").toString()).isEqualTo("[{\"name\":\"/\"}]");
        JsonNode user = defs.get("users").get(0);
        assertThat(user.get("name").asText()).isEqualTo("openstack");
        assertThat(user.get("hashing_algorithm").asText()).isEqualTo("rabbit_password_hashing_sha256");
        byte[] stored = Base64.getDecoder().decode(user.get("password_hash").asText());
        assertThat(stored).hasSize(36);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(Arrays.copyOf(stored, 4));
        assertThat(Arrays.copyOfRange(stored, 4, 36)).isEqualTo(sha.digest("s3cret \"pw\"".getBytes(StandardCharsets.UTF_8)));
        assertThat(defs.get("permissions").get(0).toString()).isEqualTo(
                "{\"user\":\"openstack\",\"vhost\":\"/\",\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}");
        // the same password, the same definitions: a rerun writes nothing new
        assertThat(RabbitMq.definitions("openstack", "x")).isEqualTo(RabbitMq.definitions("openstack", "x"))
                .isNotEqualTo(RabbitMq.definitions("openstack", "y"));
        assertThat(RabbitMq.definitions("openstack", "s3cret")).doesNotContain("s3cret");
    }
}
