package io.speedling.core;

/**
 * Ownership and permission bits for a file written on a node. {@code null} owner or
 * group leaves the one the writing process gets.
 *
 * <pre>{@code
 * FileSpec secret = FileSpec.mode(0640).owner("root").group("keystone");
 * }</pre>
 *
 * @param owner user name, or null
 * @param group group name, or null
 * @param mode permission bits (only the lowest 9 are used), e.g. {@code 0644}
 */
public record FileSpec(String owner, String group, int mode) {

    public FileSpec {
        if (mode < 0 || mode > 0777) {
            throw new IllegalArgumentException("file mode must be between 0 and 0777 (octal), got 0"
                    + Integer.toOctalString(mode));
        }
    }

    /** Mode 0644, owner and group of the writer. */
    public static final FileSpec DEFAULT = new FileSpec(null, null, 0644);

    public static FileSpec mode(int mode) {
        return new FileSpec(null, null, mode);
    }

    public FileSpec owner(String user) {
        return new FileSpec(user, group, mode);
    }

    public FileSpec group(String grp) {
        return new FileSpec(owner, grp, mode);
    }
}
