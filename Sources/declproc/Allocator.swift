#if canImport(Glibc)
import Glibc
#endif

/// The allocator this process runs on, for `--version`: the tool is linked with
/// mimalloc (Package.swift), and what counts is whether `malloc` resolves to it, for
/// the C libraries and the Swift runtime too, which the link order decides. Asked of
/// the dynamic linker: mimalloc defines `malloc` as another name of its `mi_malloc`,
/// so the two are one address exactly when its `malloc` is the one in use.
enum Allocator {
    static var description: String {
        #if canImport(Glibc)
        guard let program = dlopen(nil, RTLD_NOW) else { return "malloc: unknown" }
        defer { dlclose(program) }
        guard let malloc = dlsym(program, "malloc"), let own = dlsym(program, "mi_malloc"), malloc == own,
              let symbol = dlsym(program, "mi_version") else { return "malloc: not mimalloc's" }
        // major × 100 + minor × 10 + patch (mimalloc.h's MI_MALLOC_VERSION).
        let version = unsafeBitCast(symbol, to: (@convention(c) () -> Int32).self)()
        return "mimalloc \(version / 100).\(version / 10 % 10).\(version % 10)"
        #else
        return "malloc: the system's"
        #endif
    }
}
