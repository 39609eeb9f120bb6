package io.speedling.core.internal;

import io.speedling.core.HostKeyPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Settings shared by every node of a fleet.
 *
 * @param knownHosts the known_hosts file
 * @param hostKeys how unknown host keys are treated
 * @param agentDir where the agent's jars are cached on a node; {@code {node}} is replaced by the node name
 * @param connectTimeout TCP and SSH handshake limit
 * @param bootstrapTimeout limit for uploading and starting the agent
 * @param heartbeat interval of heartbeats in both directions
 * @param heartbeatTimeout silence after which a node counts as lost
 * @param jvmOptions options for the agent's JVM
 * @param payload the agent's class path
 * @param runtimeCache where runtimes for nodes without Java 17+ are linked and kept ({@link AgentRuntime});
 *     null: such a node is refused instead
 */
public record AgentOptions(Path knownHosts, HostKeyPolicy hostKeys, String agentDir, Duration connectTimeout,
        Duration bootstrapTimeout, Duration heartbeat, Duration heartbeatTimeout, List<String> jvmOptions,
        AgentPayload payload, Path runtimeCache) {
}
