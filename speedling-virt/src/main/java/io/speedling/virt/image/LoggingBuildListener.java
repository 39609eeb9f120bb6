package io.speedling.virt.image;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

final class LoggingBuildListener implements BuildListener {
    static final LoggingBuildListener INSTANCE = new LoggingBuildListener();
    private static final Logger LOG = LoggerFactory.getLogger("speedling.image");

    @Override
    public void cached(LayerInfo layer) {
        LOG.info("layer {} cached: {}", layer.shortKey(), layer.description());
    }

    @Override
    public void started(String key, Step step, int index, int total) {
        LOG.info("layer {}/{} {} building: {}", index, total, key.substring(0, 12), step.describe());
    }

    @Override
    public void output(String key, String line) {
        LOG.debug("{}: {}", key.substring(0, 12), line);
    }

    @Override
    public void stillBuilding(String key, Step step, double seconds, String lastLine) {
        LOG.info("layer {} still building after {} s: {}", key.substring(0, 12), Math.round(seconds),
                lastLine.length() > 100 ? lastLine.substring(0, 100) : lastLine);
    }

    @Override
    public void built(LayerInfo layer) {
        LOG.info("layer {} built in {} s ({} MiB): {}", layer.shortKey(),
                String.format("%.1f", layer.buildSeconds()), layer.sizeBytes() >> 20, layer.description());
    }
}
