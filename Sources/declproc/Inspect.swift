import ArgumentParser
import DeclprocExtract
import DeclprocFormats
import DeclprocPipeline
import DeclprocReader
import Foundation

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show how pages were read: the charset decision, the blocks with their scores, and why each was or was not kept.")

    @Argument(help: "A page, archive or JSON Lines file (every page in it), or - for stdin.")
    var inputs: [String]

    @Option(help: "Only the page at this position in its input (a WARC record or JSON line index).")
    var position: Int?

    @Option(help: "A site profile (JSON with XPath expressions item, title, date, author).")
    var profile: String?

    @Flag(help: "Write one JSON object per page instead of the report.")
    var json = false

    @OptionGroup var locale: LocaleOptions

    func run() throws {
        let store = try locale.store()
        let resources: Resources
        do { resources = try Resources(store: store) } catch { throw Fatal(error.description) }
        var siteProfile: SiteProfile? = nil
        if let profile {
            do { siteProfile = try SiteProfile.load(profile) } catch { throw Fatal(error.description) }
        }
        let processor = try PageProcessor(resources: resources, profile: siteProfile)
        let output = LineOutput()
        for item in InputEnumerator(inputs: inputs).items() {
            for pageItem in PageReader.pages(of: item, options: ReadOptions()) {
                let inspection: Inspection
                switch pageItem {
                case .skipped: continue
                case .reject(let reject):
                    if let position, reject.position != position { continue }
                    inspection = Inspection(rejected: reject)
                case .page(let raw):
                    if let position, raw.source.position != position { continue }
                    do {
                        inspection = Inspection(try processor.read(raw, tracing: true), finder: resources.statements, profile: siteProfile)
                    } catch let reject as Reject {
                        inspection = Inspection(rejected: reject)
                    }
                }
                if json {
                    try output.write(String(decoding: try JSONLines.encoder.encode(inspection), as: UTF8.self))
                } else {
                    try output.write(inspection.text)
                }
            }
        }
        try output.finish()
    }
}
