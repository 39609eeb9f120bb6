package io.speedling.core.functions;

import io.speedling.core.NodeContext;
import io.speedling.core.RemoteFunction;

/** Does nothing on the node and answers with its name: the cost of a round trip. */
public record Ping() implements RemoteFunction<String> {
    @Override
    public String run(NodeContext node) {
        return node.nodeName();
    }
}
