import ArgumentParser
import DeclprocHTML
import DeclprocICU
import DeclprocLocales
import DeclprocPipeline

struct Declproc: ParsableCommand {

    /// Every command names itself (`commandName`): left to ArgumentParser, the name
    /// is made from the type by reflection each time it is asked for, 42 times at
    /// start-up, some 13 million instructions in all.
    static let configuration = CommandConfiguration(
        commandName: "declproc",
        abstract: "Turn scraped pages of public statements into clean, structured, bilingual records.",
        subcommands: [Extract.self, Dataset.self, Dedup.self, Align.self, Report.self, Inspect.self, Normalize.self, Segment.self, Transliterate.self, Convert.self]
    )

    @Flag(name: .long, help: "Print declproc's version and the ICU, Unicode, libxml2, allocator and Locales data in use.")
    var version = false

    @OptionGroup var locale: LocaleOptions

    mutating func run() throws {
        guard version else { throw CleanExit.helpRequest(self) }
        print("declproc \(Producer.version)")
        print("ICU \(ICU.version)")
        print("Unicode \(ICU.unicodeVersion)")
        print("libxml2 \(HTMLParser.libxml2Version)")
        print(Allocator.description)
        if let store = try? locale.store() {
            print("Locales \(store.version) (\(store.root.path))")
        } else {
            print("Locales not found")
        }
    }
}

/// Flags every command that reads Locales/ data takes.
struct LocaleOptions: ParsableArguments {
    @Option(name: .long, help: "The Locales folder (default: $DECLPROC_LOCALES, beside the executable, or the source tree).")
    var locales: String?

    func store() throws -> LocaleStore {
        do { return try LocaleStore.locate(explicit: locales) }
        catch { throw Fatal(error.description) }
    }
}
