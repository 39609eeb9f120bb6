package io.speedling.examples;

import io.speedling.core.functions.Sh;
import io.speedling.openstack.AllInOne;
import io.speedling.openstack.CloudSpec;
import io.speedling.openstack.OpenStackCloud;
import java.util.List;

/**
 * The shortest way to a cloud from Java: a spec, {@link OpenStackCloud#up}, use it, close it.
 *
 * <pre>
 * AllInOneExample [service ...]     e.g. AllInOneExample keystone glance   (default: every service)
 * </pre>
 */
public final class AllInOneExample {
    public static void main(String[] args) {
        CloudSpec spec = CloudSpec.allInOne().name("example")
                .services(args.length > 0 ? List.of(args) : AllInOne.SERVICES.keySet());
        try (OpenStackCloud cloud = OpenStackCloud.up(spec)) {
            System.out.println("keystone:    " + cloud.keystoneUrl());
            System.out.println("admin:       " + cloud.admin());
            System.out.println("clouds.yaml: " + cloud.cloudsYaml());
            String catalog = cloud.controller().call(Sh.checked(". /root/admin-openrc.sh && "
                    + "openstack catalog list -f value -c Type")).stdout();
            System.out.println("catalog:     " + String.join(" ", catalog.strip().split("\n")));
        }  // node, slice and state are removed here
    }
}
