package io.speedling.core.internal;

import io.speedling.core.FileSpec;

/** A node that can receive streamed files. */
public interface UploadTarget {
    Upload openUpload(String path, FileSpec spec);
}
