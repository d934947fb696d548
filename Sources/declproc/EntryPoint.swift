import ArgumentParser
import Foundation

/// Exit statuses are an interface other tools depend on: 0 success, 1 a `--strict`
/// run that rejected something, 2 a usage error, 3 a fatal error.
@main
enum EntryPoint {
    static func main() {
        do {
            var command = try Declproc.parseAsRoot()
            try command.run()
        } catch let failure as Fatal {
            FileHandle.standardError.write(Data("declproc: \(failure.message)\n".utf8))
            exit(3)
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch {
            let status = Declproc.exitCode(for: error)
            if status == .success {
                print(Declproc.fullMessage(for: error))
                exit(0)
            }
            FileHandle.standardError.write(Data("\(Declproc.fullMessage(for: error))\n".utf8))
            // Anything the parser rejects is a usage error, whatever code it would pick.
            exit(2)
        }
    }
}

/// An error that ends the run with status 3; the message says what failed and where.
struct Fatal: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// Objects kept alive until the process exits. Freeing a lexicon of a hundred
/// thousand entries at exit costs a tenth of a second that the operating system
/// would reclaim for free, so commands hand their big data here.
nonisolated(unsafe) private var keptUntilExit: [AnyObject] = []

func keepUntilExit(_ objects: AnyObject...) {
    keptUntilExit.append(contentsOf: objects)
}
