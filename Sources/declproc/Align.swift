import ArgumentParser
import DeclprocAlign
import DeclprocFormats
import Foundation

struct Align: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "align",
        abstract: "Align Chinese and English sentences (one sentence per line in each file).",
        discussion: """
        links: one bead per line, [zh line ids]:[en line ids] (0-based; a side may be empty). \
        tsv: bead score, Chinese text, English text. tmx: a TMX 1.4b document of the pairs.
        """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case links, tsv, tmx }

    @Option(help: "The Chinese text, one sentence per line.")
    var zh: String

    @Option(help: "The English text, one sentence per line.")
    var en: String

    @Option(help: "links (default), tsv or tmx.")
    var format: Format = .links

    @Flag(help: "links: append each bead's score (0-1) after a tab.")
    var scores = false

    @OptionGroup var locale: LocaleOptions

    func run() throws {
        func lines(_ path: String) throws -> [String] {
            guard let data = FileManager.default.contents(atPath: path) else { throw Fatal("cannot read \(path)") }
            var text = String(decoding: data, as: UTF8.self)
            if text.hasSuffix("\n") { text.removeLast() }
            if text.isEmpty { return [] }
            return text.split(separator: "\n", omittingEmptySubsequences: false).map {
                $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
            }
        }
        let zhLines = try lines(zh), enLines = try lines(en)
        let store = try locale.store()
        let data: AlignmentData
        do { data = try AlignmentData(store: store) } catch { throw Fatal(error.description) }
        keepUntilExit(data)
        let beads = SentenceAligner(data: data).align(zh: zhLines, en: enLines)
        let output = LineOutput()
        switch format {
        case .links:
            for bead in beads {
                var line = "[" + bead.zh.map(String.init).joined(separator: ",") + "]:[" + bead.en.map(String.init).joined(separator: ",") + "]"
                if scores { line += "\t" + String(format: "%.3f", bead.score) }
                try output.write(line)
            }
        case .tsv:
            for bead in beads {
                try output.write(String(format: "%.3f", bead.score) + "\t" + bead.zh.map { zhLines[$0] }.joined() + "\t"
                                 + bead.en.map { enLines[$0] }.joined(separator: " "))
            }
        case .tmx:
            try output.write(TMXDocument.header(producer: ["declproc": "align"]))
            for (index, bead) in beads.enumerated() where !bead.zh.isEmpty && !bead.en.isEmpty {
                try output.write(TMXDocument.unit(id: String(index), properties: [("x-alignment-score", String(format: "%.3f", bead.score))],
                                                  zhLang: "zh-Hans", zh: bead.zh.map { zhLines[$0] }.joined(),
                                                  en: bead.en.map { enLines[$0] }.joined(separator: " ")))
            }
            try output.write(TMXDocument.footer)
        }
        try output.finish()
    }
}
