package io.speedling.openstack;

import io.speedling.core.Node;
import io.speedling.core.functions.Sh;

/** Tokens and Keystone's fernet keys on a node, for the tests of key rotation. */
public final class FernetTokens {
    private FernetTokens() {
    }

    /** A token the node's {@code openstack} client gets with the admin credentials. */
    public static String issue(Node node) {
        return node.call(Sh.checked(". /root/admin-openrc.sh && openstack token issue -f value -c id")).stdout()
                .strip();
    }

    /**
     * The names of the node's key files that decrypt {@code token} (Keystone strips the base64
     * padding): which key a token was made with, and whether a node can read it, without asking
     * Keystone (whose answer may come from its token cache).
     */
    public static String keysThatOpen(Node node, String token) {
        return node.call(Sh.checked("python3 - " + token + " <<'PY'\n"
                + "import os, sys\n"
                + "from cryptography.fernet import Fernet, InvalidToken\n"
                + "t = sys.argv[1] + '=' * (-len(sys.argv[1]) % 4)\n"
                + "d = '" + io.speedling.openstack.components.Keystone.FERNET_KEYS + "'\n"
                + "def opens(f):\n"
                + "    try:\n"
                + "        Fernet(open(os.path.join(d, f)).read().strip()).decrypt(t.encode())\n"
                + "        return True\n"
                + "    except InvalidToken:\n"
                + "        return False\n"
                + "print(' '.join(f for f in sorted(os.listdir(d)) if opens(f)))\n"
                + "PY")).stdout().strip();
    }
}
