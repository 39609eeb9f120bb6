package io.speedling.examples;

import io.speedling.openstack.AllInOne;
import io.speedling.virt.image.BuildListener;
import io.speedling.virt.image.Image;
import java.util.List;
import java.util.Map;

/**
 * Builds the node images of the clouds its arguments describe into the default image cache, one
 * after the other, and exits: each argument is one cloud in {@code bin/cloud}'s options, e.g.
 * {@code "--services all"} or {@code "--release 2025.1"}. {@code bin/test} starts it in the
 * background while the unit tests run, so the end-to-end tests find their images built (a test
 * that needs an image still being built waits for that build instead of starting its own: the
 * cache locks each layer across processes). A failed build is printed and the next one tried; the
 * test that needs the image then builds it itself and reports why it failed.
 */
public final class ImagesAhead {
    private ImagesAhead() {
    }

    public static void main(String[] args) {
        int failed = 0;
        for (String cloud : args) {
            long t0 = System.nanoTime();
            try {
                Map<String, List<String>> given = CloudMain.checkOptions(cloud.strip().split("\\s+"));
                Image image = AllInOne.of(CloudMain.cloudOf(given)).image(BuildListener.logging());
                System.out.printf("images-ahead: %s -> %s in %.1f s%n", cloud, image.key().substring(0, 12),
                        (System.nanoTime() - t0) / 1e9);
            } catch (RuntimeException e) {
                failed++;
                System.out.printf("images-ahead: %s failed after %.1f s: %s%n", cloud, (System.nanoTime() - t0) / 1e9,
                        e.getMessage());
            }
        }
        System.exit(failed == 0 ? 0 : 1);
    }
}
