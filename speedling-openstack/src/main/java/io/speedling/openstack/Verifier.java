package io.speedling.openstack;

import io.speedling.core.CommandResult;
import io.speedling.core.Node;
import io.speedling.core.SpeedlingException;
import io.speedling.core.functions.Sh;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Checks a deployed cloud the way a user would, with the real {@code openstack} client on the
 * controller: a token, the catalog, an image uploaded and listed, a network with a subnet and a
 * router, a server booted to ACTIVE on the compute driver and deleted again, and (with the
 * default resources) the flavor m1.tiny, the network public and the test image. The commands up to
 * the server's creation go to one client process on its standard input (step
 * {@code client_session}: one Python start-up and one token instead of one each per command); the
 * waits for ACTIVE and for the deletion poll Nova's API with curl and that session's token
 * (milliseconds a read instead of a client start-up each), the deletion itself is the client's.
 * Every client run has a time limit. Everything it creates carries a per-run suffix and is removed
 * at the end, also when a step fails.
 */
public final class Verifier {
    /** The whole check's limit: the client's runs have their own (300 s for the session, 60 s a call). */
    static final Duration LIMIT = Duration.ofMinutes(20);

    private Verifier() {
    }

    /** Checks a cloud with every service. Step name to seconds, in order; throws naming the failed step. */
    public static Map<String, Double> run(Node controller) {
        return run(controller, AllInOne.SERVICES.keySet());
    }

    /**
     * Checks what the selected services offer: token and catalog always, images with glance,
     * networks with neutron, a server with nova, objects with swift, a volume with cinder (attached to
     * the server and detached when nova is there too), {@code ceph health} with ceph. Step name to
     * seconds, in order.
     *
     * @throws SpeedlingException naming the failed step with the client's output
     */
    public static Map<String, Double> run(Node controller, Set<String> services) {
        String flags = "glance=" + on(services, "glance") + " neutron=" + on(services, "neutron") + " nova="
                + on(services, "nova") + " defaults=" + on(services, ServiceRegistry.DEFAULTS) + " swift="
                + on(services, "swift") + " cinder=" + on(services, "cinder") + " ceph=" + on(services, "ceph")
                // the default public network exists where the controller knows the provider network's addresses
                + " public=" + (controller.data().get("ext_ipv4") != null ? 1 : 0) + "\n";
        String script = flags + """
                set -eu
                . /root/admin-openrc.sh
                s=speedling-check-$$
                out=/tmp/$s.out; err=/tmp/$s.err
                t0=$(date +%s.%N)
                step() { t1=$(date +%s.%N); echo "STEP $1 $(awk "BEGIN {print $t1 - $t0}")"; t0=$t1; }
                # every client run has a time limit: an API that accepts a request and never answers
                # fails the check naming what was asked instead of hanging it
                os() { limit=$1; shift; timeout -k 5 "$limit" openstack "$@"; }
                # one client process reads many commands from stdin: ~0.3 s a command instead of ~2 s
                session() {
                  rc=0; os 300 >"$out" 2>"$err" || rc=$?
                  if [ $rc = 124 ] || [ $rc = 137 ]; then
                    echo "the openstack client got no answer within 300 s; its output so far:" >>"$err"
                  fi
                }
                # removes what the check made; after a passed check it runs on in the background (one
                # more client start-up and a dozen deletions nobody needs to wait for)
                cleanup() {
                  {
                    [ $nova = 0 ] || { echo "server delete $s"; echo "flavor delete $s"; echo "image delete $s-snap"; }
                    [ $cinder = 0 ] || echo "volume delete --force $s"
                    [ $neutron = 0 ] || { echo "router remove subnet $s $s"; echo "router delete $s"; echo "network delete $s"; }
                    [ $glance = 0 ] || echo "image delete $s"
                    [ $swift = 0 ] || echo "container delete $s"
                  } | os 120 >/dev/null 2>&1 || echo "cleanup: some of $s may be left (the client failed or timed out)" >&2
                  rm -f /tmp/$s.img /tmp/$s.get "$out" "$err"
                }
                trap 'rc=$?; if [ $rc = 0 ]; then (cleanup) </dev/null >/dev/null 2>&1 & else cleanup; fi; exit $rc' EXIT
                # what the client printed, for error messages: without the token it printed for the polls
                show_out() { grep -v '^gAAAA' "$out" || true; }
                head -c 1048576 /dev/urandom > /tmp/$s.img
                {
                  echo "token issue -f value -c project_id"
                  [ $nova = 0 ] && [ $cinder = 0 ] || echo "token issue -f value -c id"
                  echo "catalog list -f value -c Type"
                  if [ $glance = 1 ]; then
                    echo "image create --disk-format raw --container-format bare --file /tmp/$s.img $s -f value -c name"
                    echo "image list -f value -c Name"
                  fi
                  if [ $neutron = 1 ]; then
                    echo "network create $s -f value -c name"
                    echo "subnet create --network $s --subnet-range 192.168.77.0/24 $s -f value -c name"
                    echo "router create $s -f value -c name"
                    echo "router add subnet $s $s"
                  fi
                  if [ $swift = 1 ]; then
                    echo "container create $s -f value -c container"
                    echo "object create --name $s $s /tmp/$s.img -f value -c object"
                    echo "object list $s -f value -c Name"
                    echo "object save --file /tmp/$s.get $s $s"
                    echo "object delete $s $s"
                  fi
                  [ $cinder = 0 ] || echo "volume create --size 1 $s -f value -c name"
                  if [ $defaults = 1 ]; then
                    # what a user's first commands expect (devstack's defaults)
                    echo "flavor show m1.tiny -f value -c name"
                    [ $public = 0 ] || echo "network show public -f value -c name"
                    echo "image show speedling-tiny -f value -c name"
                  fi
                  if [ $nova = 1 ]; then
                    echo "flavor create --vcpus 1 --ram 64 --disk 1 $s -f value -c name"
                    echo "server create --flavor $s --image $s --network $s $s -f value -c name"
                  fi
                } | session || true
                if [ -s "$err" ]; then cat "$err" >&2; show_out; exit 1; fi
                grep -Eqx '[0-9a-f]{32}' "$out" || { echo "no token in:"; show_out; exit 1; } >&2
                echo "CATALOG $(grep -Ex 'identity|image|network|compute|placement|object-store|volumev3' "$out" | sort | tr '\n' ' ')"
                want=$((2 * glance + 3 * neutron + 2 * nova + 3 * swift + cinder))
                have=$(grep -cx "$s" "$out" || true)
                [ "$have" = "$want" ] || { echo "expected $want lines naming $s, got $have:"; show_out; exit 1; } >&2
                if [ $swift = 1 ]; then
                  cmp -s /tmp/$s.img /tmp/$s.get || { echo "object $s read back differs from what was put (or is missing)"; show_out; exit 1; } >&2
                fi
                if [ $defaults = 1 ]; then
                  for want in m1.tiny $([ $public = 0 ] || echo public) speedling-tiny; do
                    grep -qx "$want" "$out" || { echo "default resource $want is missing:"; show_out; exit 1; } >&2
                  done
                fi
                step client_session
                if [ $ceph = 1 ]; then
                  health=$(timeout 30 ceph health 2>&1) || true
                  echo "CEPH $health"
                  [ "$health" = HEALTH_OK ] || { echo "ceph health is not HEALTH_OK: $health"; timeout 30 ceph health detail; exit 1; } >&2
                fi
                [ $nova = 1 ] || [ $cinder = 1 ] || exit 0
                # the waits poll the APIs with curl and the session's token: a status read costs
                # milliseconds, where each `openstack server show` starts Python (2-3 s here)
                tok=$(grep -m1 -E '^gAAAA[A-Za-z0-9_=-]+$' "$out") || { echo "no token for the polls in:"; show_out; exit 1; } >&2
                get() { curl -s --max-time 20 -H "X-Auth-Token: $tok" -H "Accept: application/json" "$@"; }
                # waits until the resource at URL $2 has status $3; fails naming $1 when it reaches one of
                # the statuses $4 (globs) or $5 seconds pass
                wait_status() {
                  st=none; end=$((SECONDS + $5))
                  while [ $SECONDS -lt $end ]; do
                    st=$(get "$2" | grep -oE '"status": *"[A-Za-z_-]+"' | head -1 | grep -oE '[A-Za-z_-]+"$' | tr -d '"') || st=none
                    [ "$st" = "$3" ] && return 0
                    set -f; for stop in $4; do case "$st" in $stop) set +f; break 2 ;; esac; done; set +f
                    sleep 0.3
                  done
                  echo "$1 is $st, not $3, after $(($5 - end + SECONDS)) s" >&2; exit 1
                }
                # waits until URL $2 answers 404; fails naming $1 after $3 seconds
                wait_gone() {
                  code=200; end=$((SECONDS + $3))
                  while [ $SECONDS -lt $end ]; do
                    code=$(get -o /dev/null -w '%{http_code}' "$2") || code=000
                    [ "$code" = 404 ] && return 0
                    sleep 0.3
                  done
                  echo "$1 still there (HTTP $code) $3 s after its deletion" >&2; exit 1
                }
                if [ $cinder = 1 ]; then
                  project=$(head -1 "$out")
                  vapi="${OS_AUTH_URL%:5000*}:8776/v3/$project"
                  vid=$(get "$vapi/volumes?name=$s" | grep -oE '"id": *"[0-9a-f-]{36}"' | head -1 | grep -oE '[0-9a-f-]{36}') \
                    || { echo "volume $s not found in Cinder's volume list" >&2; exit 1; }
                  volume_is() { wait_status "volume $s" "$vapi/volumes/$vid" "$1" 'error*' 120; }
                  volume_is available
                  step volume_available
                fi
                [ $nova = 1 ] || { [ $cinder = 0 ] || os 60 volume delete $s; exit 0; }
                api="${OS_AUTH_URL%:5000*}:8774/v2.1"
                id=$(get "$api/servers?name=%5E$s%24" | grep -oE '"id": *"[0-9a-f-]{36}"' | head -1 | grep -oE '[0-9a-f-]{36}') \
                  || { echo "server $s not found in Nova's server list" >&2; exit 1; }
                wait_status "server $s" "$api/servers/$id" ACTIVE ERROR 240
                step server_active
                # a snapshot of the server becomes an active image
                snap=$(os 120 server image create --name $s-snap $s -f value -c id) \
                  || { echo "snapshot of server $s was refused" >&2; exit 1; }
                iapi="${OS_AUTH_URL%:5000*}:9292/v2/images/$snap"
                wait_status "snapshot $s-snap of server $s" "$iapi" active 'killed deleted' 120
                get -X DELETE "$iapi" >/dev/null
                step server_snapshot
                if [ $cinder = 1 ]; then
                  os 120 server add volume $s $s >/dev/null || { echo "attaching volume $s to server $s failed" >&2; exit 1; }
                  volume_is in-use
                  step volume_attach
                  # a domain without a guest OS (the test image is not bootable) never answers a disk's
                  # hot-unplug: with a real hypervisor the volume is detached from the stopped server
                  if get "$api/os-hypervisors/detail" | grep -q '"hypervisor_type": *"QEMU"'; then
                    os 60 server stop $s
                    wait_status "server $s" "$api/servers/$id" SHUTOFF ERROR 120
                  fi
                  os 120 server remove volume $s $s || { echo "detaching volume $s from server $s failed" >&2; exit 1; }
                  volume_is available
                  step volume_detach
                  os 60 volume delete $s
                  wait_gone "volume $s" "$vapi/volumes/$vid" 120
                  step volume_delete
                fi
                os 60 server delete $s || os 60 server delete $s
                wait_gone "server $s" "$api/servers/$id" 240
                step server_delete
                """;
        // every client run inside has its own limit; this one only catches what they miss
        CommandResult r = controller.call(new Sh("exec bash -c " + quote(script), false).timeout(LIMIT));
        Map<String, Double> steps = new LinkedHashMap<>();
        for (String line : r.stdout().lines().toList()) {
            if (line.startsWith("STEP ")) {
                String[] f = line.split(" ");
                steps.put(f[1], Double.parseDouble(f[2]));
            }
        }
        if (!r.ok()) {
            throw new SpeedlingException("verification failed after " + steps.keySet() + " on " + controller.name()
                    + " (exit " + r.exitCode() + "):\n" + r.stderr().strip() + "\n" + r.stdout().strip());
        }
        return steps;
    }

    /** "token_issue 2.6 s, catalog_list 2.5 s, ..." for a console line. */
    public static String format(Map<String, Double> steps) {
        StringBuilder sb = new StringBuilder();
        steps.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ')
                .append(String.format(java.util.Locale.ROOT, "%.1f s", v)));
        return sb.toString();
    }

    private static int on(Set<String> services, String s) {
        return services.contains(s) ? 1 : 0;
    }

    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
