package io.speedling.virt.nodes;

import java.util.List;

/**
 * What a slice's record says: who claimed it, the image its nodes came from and their names.
 *
 * @param owner the cloud that claimed the slice, or null
 * @param imageKey the image's key, or null when unknown
 */
public record SliceRecord(int slice, String owner, String imageKey, List<String> nodes) {
    /** Why the slice does not already hold {@code wantedNodes} from {@code wantedImage}, or null when it does. */
    public String difference(List<String> wantedNodes, String wantedImage) {
        if (!new java.util.HashSet<>(nodes).equals(new java.util.HashSet<>(wantedNodes))) {
            return "it has nodes " + nodes + ", not " + wantedNodes;
        }
        if (imageKey != null && !imageKey.equals(wantedImage)) {
            return "its nodes run image " + imageKey.substring(0, Math.min(12, imageKey.length())) + ", not "
                    + wantedImage.substring(0, Math.min(12, wantedImage.length()));
        }
        return null;
    }
}
