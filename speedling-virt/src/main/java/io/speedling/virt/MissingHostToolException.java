package io.speedling.virt;

/** A program speedling-virt needs is not installed on this host; the message names its package. */
public final class MissingHostToolException extends VirtException {
    private final HostTool tool;

    public MissingHostToolException(HostTool tool) {
        super(tool.command() + " is not installed on this host: install the Debian package '"
                + tool.debianPackage() + "' (apt-get install " + tool.debianPackage() + ")");
        this.tool = tool;
    }

    public HostTool tool() {
        return tool;
    }
}
