#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where progress goes: standard output, redrawn in place on a terminal, plain lines
/// otherwise (a log file, a pipe, CI).
public struct Console: Sendable {
    /// Whether the output is an interactive terminal (`isatty`), so a progress bar may
    /// redraw one line with carriage returns.
    public let isTerminal: Bool
    /// Whether anything is written at all.
    public let enabled: Bool

    /// Standard output, detecting a terminal with `isatty(1)`; `quiet` writes nothing.
    public init(quiet: Bool = false, forceTerminal: Bool? = nil) {
        isTerminal = forceTerminal ?? (isatty(STDOUT_FILENO) != 0)
        enabled = !quiet
    }

    /// The terminal's width in columns (80 when unknown or not a terminal).
    public var width: Int {
        guard isTerminal else { return 80 }
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return Int(size.ws_col) }
        return 80
    }

    /// Writes a full line (clearing a progress bar drawn on the same line first).
    public func line(_ text: String) {
        guard enabled else { return }
        write((isTerminal ? "\r\u{1B}[2K" : "") + text + "\n")
    }

    /// Redraws the current line (terminals only; elsewhere nothing is written).
    public func redraw(_ text: String) {
        guard enabled, isTerminal else { return }
        write("\r\u{1B}[2K" + text)
    }

    private func write(_ s: String) {
        var s = s
        s.withUTF8 { buf in
            var done = 0
            while done < buf.count {
                let n = Glibc.write(STDOUT_FILENO, buf.baseAddress! + done, buf.count - done)
                if n <= 0 { if errno == EINTR { continue }; return }
                done += n
            }
        }
    }
}

/// A monotonic clock in seconds, for throughput and ETA (never goes backwards).
public func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}
