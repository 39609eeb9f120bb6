// jshell startup for speedling: the imports a session needs. Start with
//   speedling-examples/bin/jshell
// or, with your own jshell: jshell --class-path "$(speedling-examples/bin/classpath)" \
//   --startup DEFAULT --startup speedling-examples/jshell/speedling.jsh
import io.speedling.core.*;
import io.speedling.core.functions.*;
import io.speedling.core.tasks.*;
import io.speedling.openstack.*;
import io.speedling.openstack.components.*;
import io.speedling.virt.image.*;
import io.speedling.virt.nodes.*;
import java.nio.file.*;
import java.time.Duration;
System.out.println("speedling loaded: try  var cloud = OpenStackCloud.up(CloudSpec.allInOne().services(\"keystone\"))");
