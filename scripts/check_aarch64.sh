#!/usr/bin/env bash
# check_aarch64.sh: what an x86-64 Debian machine can check of Ember's aarch64 (arm64) Linux build.
# `make check-aarch64` runs it; it is not part of `make test`. Idempotent: what it makes lives in
# .build/aarch64-check (delete that folder to start over). Exits non-zero when a check fails (the
# Swift step tries every target first, then lists the ones that failed).
#
# What it verifies, for the target aarch64-unknown-linux-gnu:
#   1. Every C target (Sources/CEmberKernels, Sources/CEmberImage) compiles to aarch64 ELF objects
#      with clang at -O2 -Wall -Wextra -Werror, against Debian's arm64 glibc and the arm64 headers of
#      libpng, libjpeg-turbo and zlib; the kernels' object must contain NEON vector arithmetic
#      (fmla on .4s registers: the portable `_base` build, clang vector extensions lowered to NEON).
#   2. Every system-library shim (CBLAS, CZlib, CMPI, CPNG, CJPEG) parses for aarch64 with the
#      include paths pkg-config gives from the arm64 .pc files (OpenBLAS, Open MPI, libpng, ...).
#   3. No Swift source uses Float80/CLongDouble (x86-only), and x86 intrinsics
#      (_Builtin_intrinsics.intel, _mm_*) appear only in files that guard them with #if arch(x86_64).
#   4. Every Swift target of Package.swift (libraries, executables, examples, test targets, and
#      `ember` with swift-argument-parser) compiles for aarch64 in dependency order: swiftc
#      -target aarch64-unknown-linux-gnu -swift-version 6 -wmo -Onone -enable-testing, emitting each module
#      and an aarch64 object file, with the C targets imported through their module maps (so
#      `#if arch(x86_64)` code is compiled out and every `#else` path, the clang importer's view of
#      the aarch64 headers and LLVM's aarch64 code generation are exercised).
#      SWIFT_MODE=modules skips the object files (type-checking only; faster).
#
# What it does NOT verify (no aarch64 machine, no aarch64 Swift runtime here):
#   - linking and running: no arm64 libswiftCore/Foundation/Dispatch exist on this machine, so no
#     executable is linked and no test runs; numerical results on NEON are unchecked;
#   - -O builds of the Swift code (only -Onone code generation; the C code is built at -O2);
#   - the real aarch64 Swift standard library: this script makes one from the toolchain's x86_64
#     .swiftinterface files (target line changed). It is generated from the x86_64 build, so
#     x86-only API (Float80, CLongDouble) is still declared in it: check 3 greps the sources for
#     them instead;
#   - Foundation, FoundationXML and Dispatch, which the toolchain ships as x86_64 binary modules
#     only (no textual interface): the script prints the interface of each from the x86_64 binary module
#     (swift-synthesize-interface), repairs it into a .swiftinterface and compiles against that, so
#     Ember's use of them is checked against their (architecture-independent) API, not against an
#     aarch64 build of them; FoundationInternationalization (dates, number formatting), whose
#     printed interface does not build, is left out of that Foundation;
#   - macOS (arm64-apple-macosx): needs Apple's SDK.
#
# What it needs (Debian bookworm, x86-64):
#   - the Swift toolchain (swiftc, swift-synthesize-interface) and a clang with the AArch64 backend
#     (the toolchain's clang has it); python3, pkg-config, dpkg-deb, llvm-objdump/llvm-nm, file;
#   - swift-argument-parser's checkout in .build/checkouts (any `swift build` makes it; the script
#     runs `swift package resolve` when it is missing);
#   - libc6-dev-arm64-cross and linux-libc-dev-arm64-cross (installed with apt-get when run as root);
#   - on the first run, network access to deb.debian.org: the arm64 -dev packages of OpenBLAS,
#     libpng, libjpeg-turbo, zlib and Open MPI are downloaded with apt-get (a private apt state in
#     .build/aarch64-check/apt; the machine's dpkg architectures and packages are left alone) and
#     unpacked into a private sysroot, never installed.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
W=$ROOT/.build/aarch64-check
TRIPLE=aarch64-unknown-linux-gnu
SWIFTC=${SWIFTC:-$(command -v swiftc)}
TOOLCHAIN_LIB=$(cd "$(dirname "$(readlink -f "$SWIFTC")")/../lib/swift" && pwd)
CLANG=${CLANG:-$(dirname "$(readlink -f "$SWIFTC")")/clang}
[ -x "$CLANG" ] || CLANG=$(command -v clang)
BIN=$(dirname "$(readlink -f "$SWIFTC")")
OBJDUMP=$BIN/llvm-objdump; [ -x "$OBJDUMP" ] || OBJDUMP=$(command -v llvm-objdump)
NM=$BIN/llvm-nm; [ -x "$NM" ] || NM=$(command -v llvm-nm)
DEBIAN_SUITE=${DEBIAN_SUITE:-bookworm}

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'check_aarch64: FAILED: %s\n' "$*" >&2; exit 1; }
mkdir -p "$W"

# ---------------------------------------------------------------------------------------------
step "requirements"
"$CLANG" --print-targets | grep -qw aarch64 || fail "$CLANG has no AArch64 backend"
if [ ! -f /usr/aarch64-linux-gnu/include/stdio.h ] || [ ! -d /usr/aarch64-linux-gnu/include/asm ]; then
    if [ "$(id -u)" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q libc6-dev-arm64-cross linux-libc-dev-arm64-cross
    else
        fail "needs Debian's arm64 cross glibc: sudo apt-get install -y libc6-dev-arm64-cross linux-libc-dev-arm64-cross"
    fi
fi
echo "clang: $("$CLANG" --version | head -1)"
echo "swiftc: $("$SWIFTC" --version 2>&1 | head -1)"
echo "arm64 glibc: $(dpkg-query -W -f '${Package} ${Version}' libc6-dev-arm64-cross 2>/dev/null || echo /usr/aarch64-linux-gnu)"

# ---------------------------------------------------------------------------------------------
step "arm64 -dev packages (downloaded once into $W/apt/debs, unpacked, never installed)"
DEV_PACKAGES="libopenblas-dev libopenblas-pthread-dev libpng-dev libjpeg62-turbo-dev zlib1g-dev libopenmpi-dev"
APT=$W/apt
mkdir -p "$APT/debs" "$APT/lists/partial" "$APT/cache/archives/partial"
have_debs=1
for p in $DEV_PACKAGES; do ls "$APT/debs/${p}"_*_arm64.deb >/dev/null 2>&1 || have_debs=0; done
if [ $have_debs = 0 ]; then
    touch "$APT/status"
    cat > "$APT/sources.list" <<EOF
deb [arch=arm64] http://deb.debian.org/debian $DEBIAN_SUITE main
deb [arch=arm64] http://deb.debian.org/debian $DEBIAN_SUITE-updates main
deb [arch=arm64] http://deb.debian.org/debian-security $DEBIAN_SUITE-security main
EOF
    cat > "$APT/apt.conf" <<EOF
Dir::State::Lists "$APT/lists";
Dir::State::status "$APT/status";
Dir::Cache "$APT/cache";
Dir::Etc::SourceList "$APT/sources.list";
Dir::Etc::SourceParts "/nonexistent";
APT::Architecture "arm64";
APT::Architectures { "arm64"; };
APT::Sandbox::User "root";
EOF
    export APT_CONFIG=$APT/apt.conf
    apt-get update -q || fail "apt-get update (arm64 package lists from deb.debian.org)"
    (cd "$APT/debs" && apt-get download $DEV_PACKAGES) || fail "apt-get download $DEV_PACKAGES"
    unset APT_CONFIG
fi
ls "$APT/debs"

# ---------------------------------------------------------------------------------------------
step "sysroot $W/sysroot: Debian's arm64 cross glibc plus the unpacked -dev packages"
S=$W/sysroot
if [ ! -f "$S/.complete" ]; then
    rm -rf "$S"
    mkdir -p "$S/usr/lib"
    cp -a /usr/aarch64-linux-gnu/include "$S/usr/include"
    cp -a /usr/aarch64-linux-gnu/lib "$S/usr/lib/aarch64-linux-gnu"
    for d in "$APT"/debs/*.deb; do dpkg-deb -x "$d" "$S"; done
    # What update-alternatives does when libopenblas-pthread-dev is installed.
    ln -sf ../openblas-pthread/pkgconfig/openblas.pc "$S/usr/lib/aarch64-linux-gnu/pkgconfig/openblas.pc"
    touch "$S/.complete"
fi
export PKG_CONFIG_LIBDIR=$S/usr/lib/aarch64-linux-gnu/pkgconfig:$S/usr/share/pkgconfig
export PKG_CONFIG_SYSROOT_DIR=$S
pc_cflags() { pkg-config --cflags "$1" || fail "pkg-config $1 in the arm64 sysroot"; }

# ---------------------------------------------------------------------------------------------
step "C targets -> aarch64 objects (clang --target=$TRIPLE -O2 -Wall -Wextra -Werror)"
OBJ=$W/c-obj
rm -rf "$OBJ"; mkdir -p "$OBJ"
CFLAGS=(--target=$TRIPLE --sysroot="$S" -O2 -fPIC -DSWIFT_PACKAGE=1 -Wall -Wextra -Werror)
cc_target() {  # name, extra flags...
    local t=$1; shift
    for f in "$ROOT/Sources/$t"/*.c; do
        local o=$OBJ/$t-$(basename "$f" .c).o
        "$CLANG" "${CFLAGS[@]}" -I"$ROOT/Sources/$t/include" "$@" -c "$f" -o "$o" || fail "clang $f"
        file "$o" | grep -q 'ARM aarch64' || fail "$o is not an aarch64 object"
        echo "ok  Sources/$t/$(basename "$f") -> $(file -b "$o" | cut -d, -f1-2)"
    done
}
cc_target CEmberKernels
cc_target CEmberImage $(pc_cflags libpng) $(pc_cflags libjpeg)
neon=$("$OBJDUMP" -d "$OBJ/CEmberKernels-ember_kernels.o" 2>/dev/null | grep -cE 'fmla[[:space:]]+v[0-9]+\.4s' || true)
[ "${neon:-0}" -gt 0 ] || fail "no NEON fmla .4s in ember_kernels.o"
echo "ok  ember_kernels.o: $neon NEON fmla.4s instructions"
undefined=$("$NM" -u "$OBJ"/CEmberKernels-*.o | awk '{print $2}' | grep -vE '^(ember_|__|pthread_|exp|expf|log|logf|tanh|tanhf|sqrt|sqrtf|erf|erff|malloc|calloc|free|posix_memalign|aligned_alloc|memcpy|memset|memmove|getenv|strcmp|fprintf|stderr|sched_getaffinity|sysconf|abort|clock_gettime)' | sort -u || true)
[ -z "$undefined" ] || echo "note: the kernels also call: $(echo $undefined)"

step "system-library shims parse for aarch64 (pkg-config cflags from the arm64 .pc files)"
shim() {  # target, pkg-config name or -
    local flags=""; [ "$2" = - ] || flags=$(pc_cflags "$2")
    "$CLANG" --target=$TRIPLE --sysroot="$S" $flags -fsyntax-only -Werror -x c "$ROOT/Sources/$1/shim.h" \
        || fail "Sources/$1/shim.h"
    echo "ok  Sources/$1/shim.h"
}
shim CBLAS openblas; shim CZlib zlib; shim CMPI ompi-c; shim CPNG libpng; shim CJPEG libjpeg

# ---------------------------------------------------------------------------------------------
step "x86-only Swift API that the generated aarch64 standard library cannot catch"
if grep -rnwE 'Float80|CLongDouble' "$ROOT/Sources" "$ROOT/Examples" --include='*.swift'; then
    fail "Float80 / CLongDouble exist only on x86: use Double (or guard with #if arch(x86_64) ... #else)"
fi
intel=$(grep -rlE '_Builtin_intrinsics\.intel|\b_mm(256|512)?_' "$ROOT/Sources" "$ROOT/Examples" --include='*.swift' || true)
for f in $intel; do
    grep -q '#if arch(x86_64)' "$f" || fail "$f uses x86 intrinsics without #if arch(x86_64)"
done
echo "ok  no Float80/CLongDouble; x86 intrinsics only behind #if arch(x86_64) (${intel:-none})"

# ---------------------------------------------------------------------------------------------
step "Swift resource directory for $TRIPLE, made from the toolchain's x86_64 interfaces"
R=$W/resource
if [ ! -f "$R/.complete" ]; then
    rm -rf "$R"; mkdir -p "$R/linux/aarch64"
    # Everything but linux/ is shared with the host (clang headers, SwiftShims, the module maps of
    # CoreFoundation, dispatch and the other C modules Foundation and Dispatch are built on).
    for e in "$TOOLCHAIN_LIB"/*; do [ "$(basename "$e")" = linux ] || ln -s "$e" "$R/$(basename "$e")"; done
    cp "$TOOLCHAIN_LIB/linux/x86_64/glibc.modulemap" "$TOOLCHAIN_LIB/linux/x86_64/SwiftGlibc.h" "$R/linux/aarch64/"
    for f in "$TOOLCHAIN_LIB"/linux/*.swiftmodule/x86_64-unknown-linux-gnu*.swiftinterface; do
        m=$(basename "$(dirname "$f")"); b=$(basename "$f")
        mkdir -p "$R/linux/$m"
        # Float80's remainder and square root call SwiftShims functions that exist only on x86
        # (long double is 128-bit on aarch64); nothing in Ember may use Float80 (checked above).
        sed -e "s/-target x86_64-unknown-linux-gnu/-target $TRIPLE/" \
            -e 's/^\( *\)self = _stdlib_remainderl(self, other)$/\1fatalError("Float80 is x86-only")/' \
            -e 's/^\( *\)self = _stdlib_squareRootl(self)$/\1fatalError("Float80 is x86-only")/' \
            "$f" > "$R/linux/$m/${b/x86_64-unknown-linux-gnu/$TRIPLE}"
    done
    touch "$R/.complete"
fi
# Dispatch and Foundation ship as x86_64 binary modules only (no .swiftinterface), and a binary
# module cannot be loaded for another target. Their public interface is printed from the x86_64
# module (swift-synthesize-interface), made into a valid .swiftinterface (fix_synth.py), and
# compiled for aarch64 once with the errors the compiler still reports fixed where they point
# (fix_errors.py: a missing or extra `override`, a declaration printed twice). Their API does not
# depend on the architecture; this only lets the Swift targets that import them be compiled.
cat > "$W/fix_synth.py" <<'PY'
import re, sys
# Turns swift-synthesize-interface's printout of a binary module into a .swiftinterface that the
# compiler accepts: the printout leaves out accessors and prints some declarations no interface may hold.
path, module = sys.argv[1], sys.argv[2]
lines = open(path).read().split('\n')
declared = set(re.findall(r'\b(?:struct|enum|class|protocol|actor)\s+(\w+)', '\n'.join(lines)))
out, stack, header = [], [], ''
i = 0
while i < len(lines):
    s = lines[i].rstrip()
    i += 1
    stripped = s.lstrip()
    if stripped.startswith('//') or not stripped:
        out.append(s); continue
    # A conformance of a type the printout does not declare (an internal type): drop it.
    m = re.match(r'^extension ([\w.]+) : .*\{$', s)
    if m and m.group(1).startswith(module + '.') and i < len(lines) and lines[i].strip() == '}' and m.group(1).split('.')[-1] not in declared:
        i += 1; continue
    in_protocol = bool(stack) and stack[-1] == 'protocol'
    if re.match(r'^\s*override public init\(\)$', s):
        s = s.replace('override public init()', 'public init()')
    m = re.match(r'^(\s*)(.*?\b)(let|var)( [A-Za-z_`][\w`]*: .+)$', s)
    if m and '{' not in s and '=' not in m.group(4) and not re.search(r'\b(func|init|case|typealias|subscript)\b', m.group(2)):
        pre = re.sub(r'\b(internal|private|fileprivate)\(set\) ', '', m.group(2))
        settable = m.group(3) == 'var' and pre == m.group(2) and not in_protocol
        s = f"{m.group(1)}{pre}var{m.group(4)} {{ get{' set' if settable else ''} }}"
    elif re.search(r'\blet \w+: .*\{ (mutating )?get \}$', s):
        s = re.sub(r'\blet ', 'var ', s, count=1)
    if re.search(r'\{ (mutating )?get \}$', s):
        s = re.sub(r'\b(internal|private|fileprivate)\(set\) ', '', s)
    if re.search(r'\bsubscript\s*[<(]', s) and not s.rstrip().endswith('}') and not s.rstrip().endswith('{'):
        s += ' { get }' if in_protocol else ' { get set }'
    # Associated types are inferred from the printed witnesses in an interface no better than they
    # are printed: the standard library's arrays' DataProtocol conformances need Regions spelled out.
    m = re.match(r'^(\s*)public var regions: (.+) \{ get \}$', s)
    if m and re.match(r'extension Swift\.(Array|ArraySlice|ContiguousArray) : FoundationEssentials\.DataProtocol', header):
        out.append(f'{m.group(1)}public typealias Regions = {m.group(2)}')
    if re.match(r'^\s*public typealias \w+$', s):
        s = '// ' + s
    if s.rstrip().endswith('{'):
        header = s
        stack.append('protocol' if re.search(r'\bprotocol\b', s.split('{')[0]) else 'other')
    elif stripped.startswith('}') and stack:
        stack.pop()
    out.append(s)
text = '\n'.join(out)
if module == 'Foundation':
    # swift-corelibs-foundation re-exports FoundationEssentials and FoundationInternationalization;
    # the latter's printed interface does not build (nested types of FoundationEssentials' types
    # declared in extensions), so it is left out: Ember uses none of its API.
    # (it also re-exports Glibc and Dispatch, as `import Foundation` then `exit(0)` shows on x86-64).
    text = re.sub(r'^import (FoundationEssentials|Glibc|Dispatch)$', r'@_exported import \1', text, flags=re.M)
    text = re.sub(r'^import FoundationInternationalization$', r'// FoundationInternationalization left out', text, flags=re.M)
    # `typealias NSRange = _NSRange` is printed without its (underscored, unprinted) target.
    # Underscored conformances are not printed: String's bridging to NSString (`path as NSString`).
    text += ('\nextension Swift.String : Swift._ObjectiveCBridgeable {\n'
        '    public typealias _ObjectiveCType = Foundation.NSString\n'
        '    public func _bridgeToObjectiveC() -> Foundation.NSString\n'
        '    public static func _forceBridgeFromObjectiveC(_ source: Foundation.NSString, result: inout Swift.String?)\n'
        '    public static func _conditionallyBridgeFromObjectiveC(_ source: Foundation.NSString, result: inout Swift.String?) -> Swift.Bool\n'
        '    public static func _unconditionallyBridgeFromObjectiveC(_ source: Foundation.NSString?) -> Swift.String\n'
        '}\n')
    text = text.replace('// public typealias NSRange\n', 'public struct NSRange : Swift.Hashable, Swift.Sendable {\n'
        '    public var location: Swift.Int { get set }\n    public var length: Swift.Int { get set }\n'
        '    public init()\n    public init(location: Swift.Int, length: Swift.Int)\n}\n', 1)
open(path, 'w').write('import _Concurrency\nimport _StringProcessing\n' + text)
PY
cat > "$W/fix_errors.py" <<'PY'
import re, sys
# Applies the fixes the compiler's errors point at in a printed interface: a missing `override`,
# a declaration printed twice. Returns 1 if it changed something.
log, = sys.argv[1:]
fixes = {}
for m in re.finditer(r"^(\S+\.swiftinterface):(\d+):\d+: error: (.*)$", open(log).read(), re.M):
    fixes.setdefault(m.group(1), []).append((int(m.group(2)), m.group(3)))
changed = 0
for path, errs in fixes.items():
    lines = open(path).read().split('\n')
    for ln, msg in set(errs):
        s = lines[ln - 1]
        if "requires an 'override' keyword" in msg and 'override ' not in s:
            lines[ln - 1] = re.sub(r'^(\s*)', r'\1override ', s, count=1); changed = 1
        elif msg.startswith('initializer does not override') and 'override ' in s:
            lines[ln - 1] = s.replace('override ', '', 1); changed = 1
        elif msg.startswith('invalid redeclaration') and not s.rstrip().endswith('{'):
            lines[ln - 1] = '// ' + s; changed = 1
            k = ln - 2  # and the attributes printed on the lines above it
            while k >= 0 and lines[k].lstrip().startswith('@'):
                lines[k] = '// ' + lines[k]; k -= 1
    open(path, 'w').write('\n'.join(lines))
sys.exit(1 if changed else 0)
PY
SYNTHESIZE=$(dirname "$(readlink -f "$SWIFTC")")/swift-synthesize-interface
SWIFT_VERSION_LINE=$("$SWIFTC" --version 2>&1 | grep -o 'Swift version [^)]*)' | head -1)
if [ ! -f "$R/.foundation-complete" ]; then
    for m in Dispatch FoundationEssentials Foundation FoundationXML; do
        out=$R/linux/$m.swiftmodule/$TRIPLE.swiftinterface
        mkdir -p "$(dirname "$out")"
        "$SYNTHESIZE" -module-name "$m" -target x86_64-unknown-linux-gnu -module-cache-path "$W/module-cache-x86" \
            -print-fully-qualified-types -o "$out.body" || fail "swift-synthesize-interface $m"
        python3 "$W/fix_synth.py" "$out.body" "$m" || fail "fix_synth.py $m"
        { printf '// swift-interface-format-version: 1.0\n// swift-compiler-version: %s\n' "$SWIFT_VERSION_LINE"
          printf '// swift-module-flags: -target %s -enable-library-evolution -swift-version 5' "$TRIPLE"
          printf ' -enable-experimental-feature NonescapableTypes -enable-experimental-feature LifetimeDependence'
          printf ' -module-name %s\n' "$m"
          cat "$out.body"; } > "$out"
        rm -f "$out.body"
    done
    # The module cache does not always notice a reprinted interface: drop what it built from them.
    rm -f "$W"/module-cache/{Dispatch,FoundationEssentials,Foundation,FoundationXML}-*.swiftmodule
    printf 'import Foundation\nimport FoundationXML\nlet data = try! JSONEncoder().encode([1])\nlet name = ("a/b" as NSString).lastPathComponent\nDispatchQueue.global().async { exit(0) }\n' > "$W/probe.swift"
    for attempt in 1 2 3 4 5 6; do
        if "$SWIFTC" -typecheck -target $TRIPLE -sdk "$S" -resource-dir "$R" -module-cache-path "$W/module-cache" \
            "$W/probe.swift" > "$W/probe.log" 2>&1; then
            touch "$R/.foundation-complete"; break
        fi
        python3 "$W/fix_errors.py" "$W/probe.log" && { cat "$W/probe.log"; fail "Dispatch/Foundation interfaces for $TRIPLE do not build"; }
    done
    [ -f "$R/.foundation-complete" ] || fail "Dispatch/Foundation interfaces for $TRIPLE do not build (see $W/probe.log)"
fi
echo "ok  Swift, Glibc, Synchronization, ... (from .swiftinterface); Dispatch, FoundationEssentials, Foundation (printed)"

# The compiler set up this way must reject x86-only Swift, or the checks below would prove nothing.
printf 'import _Builtin_intrinsics.intel\nlet v = _mm_sqrt_ps(SIMD4<Float>(1, 2, 3, 4))\n' > "$W/x86-only-1.swift"
printf '#if arch(x86_64)\nlet a = 1\n#endif\nprint(a)\n' > "$W/x86-only-2.swift"
for f in "$W"/x86-only-1.swift "$W"/x86-only-2.swift; do
    if "$SWIFTC" -typecheck -target $TRIPLE -sdk "$S" -resource-dir "$R" -module-cache-path "$W/module-cache" "$f" >/dev/null 2>&1; then
        fail "$(basename "$f") (x86-only Swift) type-checks for $TRIPLE: the set-up does not check what it should"
    fi
done
echo "ok  x86-only Swift is rejected: x86 intrinsics, and a name declared only under #if arch(x86_64)"

# ---------------------------------------------------------------------------------------------
# SWIFT_MODE=objects (default): modules and aarch64 object files (LLVM's aarch64 code generation);
# SWIFT_MODE=modules: modules only (type-checking and SIL diagnostics, no code generation; faster).
SWIFT_MODE=${SWIFT_MODE:-objects}
case $SWIFT_MODE in objects|modules) ;; *) fail "SWIFT_MODE is objects or modules" ;; esac
step "Swift targets -> aarch64 modules ($SWIFT_MODE) (swiftc -target $TRIPLE -swift-version 6 -wmo -Onone)"
MOD=$W/modules
mkdir -p "$MOD" "$W/swift-obj"
# SwiftPM's module map for a C target with an include/ folder and no umbrella header of its name.
for t in CEmberKernels CEmberImage; do
    mkdir -p "$W/modulemaps/$t"
    printf 'module %s {\n    umbrella "%s"\n    export *\n}\n' "$t" "$ROOT/Sources/$t/include" > "$W/modulemaps/$t/module.modulemap"
done
CLANG_IMPORTS=(
    -Xcc -fmodule-map-file="$W/modulemaps/CEmberKernels/module.modulemap" -Xcc -I"$ROOT/Sources/CEmberKernels/include"
    -Xcc -fmodule-map-file="$W/modulemaps/CEmberImage/module.modulemap" -Xcc -I"$ROOT/Sources/CEmberImage/include"
)
for t in CBLAS CZlib CMPI CPNG CJPEG; do CLANG_IMPORTS+=(-Xcc -fmodule-map-file="$ROOT/Sources/$t/module.modulemap"); done
for p in openblas zlib ompi-c libpng libjpeg; do for f in $(pc_cflags $p); do CLANG_IMPORTS+=(-Xcc "$f"); done; done

SWIFT_COMMON=(-target $TRIPLE -sdk "$S" -resource-dir "$R" -module-cache-path "$W/module-cache"
              -swift-version 6 -package-name ember -Onone -wmo -enable-testing -D SWIFT_PACKAGE -I "$MOD" "${CLANG_IMPORTS[@]}")

# name  folder  kind(lib|exe)  -- Package.swift's targets in dependency order (tests excluded).
# (Those that need Foundation, directly or through a dependency, come last.)
TARGETS="
Ember Sources/Ember lib
EmberNN Sources/EmberNN lib
EmberData Sources/EmberData lib
EmberOptim Sources/EmberOptim lib
EmberDistributed Sources/EmberDistributed lib
EmberDemo Sources/EmberDemo exe
CharLM Examples/CharLM exe
Inference Examples/Inference exe
EmberVision Sources/EmberVision lib
EmberTestSupport Sources/EmberTestSupport lib
EmberTrain Sources/EmberTrain lib
EmberFuzzHarness Sources/EmberFuzzHarness lib
EmberBench Sources/EmberBench exe
SeedMLP Examples/SeedMLP exe
CNN Examples/CNN exe
EmberDistributedCheck Sources/EmberDistributedCheck exe
EmberDistributedBench Sources/EmberDistributedBench exe
DetectionExample Examples/Detection exe
GPT Examples/GPT exe
Recommender Examples/Recommender exe
Regression Examples/Regression exe
EmberTests Tests/EmberTests test
EmberNNTests Tests/EmberNNTests test
EmberDataTests Tests/EmberDataTests test
EmberVisionTests Tests/EmberVisionTests test
EmberOptimTests Tests/EmberOptimTests test
EmberDistributedTests Tests/EmberDistributedTests test
EmberTrainTests Tests/EmberTrainTests test
"
# A Swift target added to Package.swift must be added above (Sources/ and Examples/ are checked).
for d in "$ROOT"/Sources/*/ "$ROOT"/Examples/*/; do
    rel=${d#"$ROOT"/}; rel=${rel%/}
    ls "$d"*.swift >/dev/null 2>&1 || ls "$d"*/*.swift >/dev/null 2>&1 || continue
    [ "$rel" = Sources/ember ] && continue   # handled below (needs swift-argument-parser)
    echo "$TARGETS" | grep -q " $rel " || fail "$rel is not in check_aarch64.sh's TARGETS list"
done

swift_target() {  # name folder kind
    local name=$1 dir=$2 kind=$3 extra=()
    mapfile -t files < <(find "$ROOT/$dir" -name '*.swift' | sort)
    if [ "$kind" = lib ] || [ ! -f "$ROOT/$dir/main.swift" ]; then extra+=(-parse-as-library); fi
    [ "$kind" = lib ] && extra+=(-emit-module -emit-module-path "$MOD/$name.swiftmodule")
    local t0=$SECONDS
    if [ "$SWIFT_MODE" = objects ]; then
        "$SWIFTC" "${SWIFT_COMMON[@]}" "${extra[@]}" -module-name "$name" -c -o "$W/swift-obj/$name.o" "${files[@]}" \
            || fail "swiftc $name (target $TRIPLE)"
        file "$W/swift-obj/$name.o" | grep -q 'ARM aarch64' || fail "$name.o is not an aarch64 object"
        echo "ok  $name ($dir, ${#files[@]} files, $((SECONDS - t0)) s) -> aarch64 object$([ "$kind" = lib ] && echo " + module")"
    elif [ "$kind" = lib ]; then
        "$SWIFTC" "${SWIFT_COMMON[@]}" "${extra[@]}" -module-name "$name" "${files[@]}" || fail "swiftc $name (target $TRIPLE)"
        echo "ok  $name ($dir, ${#files[@]} files, $((SECONDS - t0)) s) -> aarch64 module (type-checked, SIL diagnostics)"
    else
        "$SWIFTC" "${SWIFT_COMMON[@]}" "${extra[@]}" -module-name "$name" -typecheck "${files[@]}" || fail "swiftc $name (target $TRIPLE)"
        echo "ok  $name ($dir, ${#files[@]} files, $((SECONDS - t0)) s) -> type-checked"
    fi
}
FAILED=()
while read -r name dir kind; do
    [ -n "$name" ] || continue
    ( swift_target "$name" "$dir" "$kind" ) || FAILED+=("$name")
done <<< "$TARGETS"

# Sources/ember needs swift-argument-parser: compiled for aarch64 from the checkout SwiftPM made
# (`swift package resolve` makes it from SwiftPM's cache when it is missing).
AP=$ROOT/.build/checkouts/swift-argument-parser
[ -d "$AP/Sources/ArgumentParser" ] || swift package resolve >/dev/null 2>&1 || true
if [ -d "$AP/Sources/ArgumentParser" ]; then
    for m in ArgumentParserToolInfo ArgumentParser; do
        mapfile -t files < <(find "$AP/Sources/$m" -name '*.swift' | sort)
        t0=$SECONDS
        "$SWIFTC" -target $TRIPLE -sdk "$S" -resource-dir "$R" -module-cache-path "$W/module-cache" \
            -swift-version 5 -Onone -wmo -parse-as-library -I "$MOD" -module-name "$m" \
            -emit-module -emit-module-path "$MOD/$m.swiftmodule" "${files[@]}" || fail "swiftc $m (target $TRIPLE)"
        echo "ok  $m (swift-argument-parser, ${#files[@]} files, $((SECONDS - t0)) s) -> aarch64 module"
    done
    ( swift_target ember Sources/ember exe ) || FAILED+=(ember)
else
    echo "Sources/ember: no swift-argument-parser checkout in .build/checkouts (run swift package resolve)"
    FAILED+=(ember)
fi
[ ${#FAILED[@]} = 0 ] || fail "Swift targets that did not compile for $TRIPLE: ${FAILED[*]}"

step "done: every check above passed for $TRIPLE"
