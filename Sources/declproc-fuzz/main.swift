import DeclprocFuzz
import Foundation

// declproc-fuzz HARNESS [libFuzzer options and corpus folders]   (built with Scripts/fuzz)
// declproc-fuzz HARNESS FILE|FOLDER...                           (any build: replays inputs)
//
// Built with -sanitize=fuzzer, libFuzzer's driver runs the harness; otherwise each
// input is replayed once, which is how a finding is reproduced under a debugger.

// The harness is the first argument, or DECLPROC_FUZZ_HARNESS: libFuzzer re-runs this
// program with its own arguments only (for -merge=1 and -fork), so Scripts/fuzz sets both.
var arguments = CommandLine.arguments
if let name = ProcessInfo.processInfo.environment["DECLPROC_FUZZ_HARNESS"], arguments.count < 2 || FuzzHarness(rawValue: arguments[1]) == nil {
    arguments.insert(name, at: 1)
}
guard arguments.count >= 2, let harness = FuzzHarness(rawValue: arguments[1]) else {
    let names = FuzzHarness.allCases.map(\.rawValue).joined(separator: ", ")
    FileHandle.standardError.write(Data("usage: declproc-fuzz HARNESS [inputs or libFuzzer options]\nharnesses: \(names)\n".utf8))
    exit(2)
}

#if DECLPROC_FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

FuzzHarness.prepare()
nonisolated(unsafe) var selected = harness
// libFuzzer sees the program name and the options after the harness name.
var driverArguments: [UnsafeMutablePointer<CChar>?] = ([arguments[0]] + arguments.dropFirst(2)).map { strdup($0) } + [nil]
var count = CInt(driverArguments.count - 1)
let status = driverArguments.withUnsafeMutableBufferPointer { buffer -> CInt in
    var base = buffer.baseAddress
    return LLVMFuzzerRunDriver(&count, &base) { data, size in
        selected.run(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
        return 0
    }
}
exit(status)
#else
var replayed = 0
for path in arguments.dropFirst(2) {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        FileHandle.standardError.write(Data("declproc-fuzz: no such input: \(path)\n".utf8))
        exit(2)
    }
    let files = isDirectory.boolValue
        ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { path + "/" + $0 }
        : [path]
    for file in files {
        guard let data = FileManager.default.contents(atPath: file) else { continue }
        harness.run([UInt8](data))
        replayed += 1
    }
}
print("declproc-fuzz \(harness.rawValue): replayed \(replayed) input(s)")
#endif
