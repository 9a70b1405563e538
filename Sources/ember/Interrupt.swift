import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C handling for training: the first SIGINT asks the trainer to checkpoint and stop
/// after the current step; a second one exits at once.
enum Interrupt {
    private static let requested = Atomic<Bool>(false)

    /// Whether Ctrl-C was pressed.
    static var isRequested: Bool { requested.load(ordering: .relaxed) }

    /// Installs the SIGINT handler.
    static func install() {
        // A parent may start us with SIGINT blocked (some process launchers do): unblock it.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        signal(SIGINT) { _ in
            if Interrupt.requested.exchange(true, ordering: .relaxed) { _exit(130) }
            let note = "\nStopping after this step (Ctrl-C again to quit now)...\n"
            _ = note.withCString { write(STDERR_FILENO, $0, strlen($0)) }
        }
    }
}
