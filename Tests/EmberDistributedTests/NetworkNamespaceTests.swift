import EmberTestSupport
import Foundation
import Testing

/// Two ranks in two network namespaces joined by a veth pair: MPI's processes on "two machines"
/// talk over TCP between 10.77.x.1 and 10.77.x.2, launched as on a cluster (mpirun's remote launch,
/// with `ip netns exec` standing in for ssh). Needs root and iproute2; bounded to 90 s per launch.
@Suite(.enabled(if: MPI.available, Comment(rawValue: MPI.missing)), .serialized)
struct NetworkNamespaceTests {
    let check = MPI.executable("EmberDistributedCheck")

    /// Two namespaces with a veth pair between them; removed by `tearDown`.
    struct Link {
        let a: String, b: String, ipA: String, ipB: String, subnet: String
        let agent: String

        init(dir: String) throws {
            let tag = String(UInt32(getpid()) % 200 + 20)
            a = "ember-dist-a\(tag)"; b = "ember-dist-b\(tag)"
            subnet = "10.77.\(tag).0/24"; ipA = "10.77.\(tag).1"; ipB = "10.77.\(tag).2"
            let ip = "/usr/sbin/ip"
            let steps: [[String]] = [
                [ip, "netns", "add", a], [ip, "netns", "add", b],
                [ip, "link", "add", "ve\(tag)a", "type", "veth", "peer", "name", "ve\(tag)b"],
                [ip, "link", "set", "ve\(tag)a", "netns", a], [ip, "link", "set", "ve\(tag)b", "netns", b],
                [ip, "-n", a, "addr", "add", ipA + "/24", "dev", "ve\(tag)a"], [ip, "-n", b, "addr", "add", ipB + "/24", "dev", "ve\(tag)b"],
                [ip, "-n", a, "link", "set", "lo", "up"], [ip, "-n", b, "link", "set", "lo", "up"],
                [ip, "-n", a, "link", "set", "ve\(tag)a", "up"], [ip, "-n", b, "link", "set", "ve\(tag)b", "up"],
            ]
            for s in steps {
                let r = try MPI.bounded(10, s)
                guard r.status == 0 else {
                    // Deleting a namespace also deletes the veth end inside it.
                    for ns in [a, b] { _ = try? MPI.bounded(10, [ip, "netns", "del", ns]) }
                    throw SetupError(step: s.joined(separator: " "), output: r.output)
                }
            }
            // mpirun's remote launcher: `agent HOST COMMAND...` runs COMMAND inside HOST's namespace.
            agent = dir + "/netns-agent.sh"
            let script = """
                #!/bin/sh
                host="$1"; shift
                case "$host" in \(ipA)) ns=\(a);; \(ipB)) ns=\(b);; *) echo "unknown host $host" >&2; exit 1;; esac
                exec /usr/sbin/ip netns exec "$ns" /bin/sh -c "$*"

                """
            try script.write(toFile: agent, atomically: true, encoding: .utf8)
            chmod(agent, 0o755)
        }

        func tearDown() {
            _ = try? MPI.bounded(10, ["/usr/sbin/ip", "netns", "del", a])
            _ = try? MPI.bounded(10, ["/usr/sbin/ip", "netns", "del", b])
        }

        /// `mpirun` started inside namespace `a`, one rank on each "host", TCP only.
        func launch(_ command: [String]) throws -> MPI.Outcome {
            try MPI.bounded(90, ["/usr/sbin/ip", "netns", "exec", a, MPI.mpirun!, "--allow-run-as-root", "--host", "\(ipA),\(ipB)", "-np", "2",
                                 "--mca", "plm_rsh_agent", agent, "--mca", "oob_tcp_if_include", subnet,
                                 "--mca", "btl", "self,tcp", "--mca", "btl_tcp_if_include", subnet] + command)
        }
    }

    struct SetupError: Error, CustomStringConvertible {
        let step: String, output: String
        var description: String { "\(step) failed: \(output)" }
    }

    static var canMakeNamespaces: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip")
    }

    @Test(.enabled(if: canMakeNamespaces, "network namespaces need root and iproute2 (/usr/sbin/ip)"))
    func twoRanksOnTwoNetworksTrainBitIdenticalToOne() throws {
        let check = try #require(check, "EmberDistributedCheck was not built beside the tests")
        let dir = try temporaryDirectory()
        let link = try Link(dir: dir)
        defer { link.tearDown() }
        let collectives = try link.launch([check, "collectives"])
        #expect(collectives.status == 0, "\(collectives.output)")
        // Each rank prints its network namespace: two different ones.
        let namespaces = Set(collectives.output.split(separator: "\n").filter { $0.hasPrefix("collectives ok") }.compactMap { $0.split(separator: " ").last })
        #expect(namespaces.count == 2, "\(collectives.output)")
        let trained = try link.launch([check, "train", "mlp", "2", dir + "/net.safetensors"])
        #expect(trained.status == 0, "\(trained.output)")
        let alone = try MPI.bounded(60, [check, "train", "mlp", "2", dir + "/alone.safetensors"])
        #expect(alone.status == 0, "\(alone.output)")
        let x = try tensorBytes(dir + "/net.safetensors"), y = try tensorBytes(dir + "/alone.safetensors")
        #expect(!x.isEmpty && x == y)
    }
}
