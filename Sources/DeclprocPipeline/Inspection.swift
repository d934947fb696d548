import DeclprocExtract
import DeclprocReader

/// How one page was read, decision by decision: what `declproc inspect` shows, so
/// a user can see why a statement was missed and write a profile.
public struct Inspection: Encodable {
    public struct BlockLine: Encodable {
        let index: Int
        let tag: String
        let path: String
        let characters: Int
        let linkDensity: Double
        let characterDensity: Double
        let score: Double
        let boilerplate: Bool
        let main: Bool
        let statement: Bool
        let verdict: String
        let text: String

        enum CodingKeys: String, CodingKey {
            case index, tag, path, characters, linkDensity = "link_density", characterDensity = "character_density"
            case score, boilerplate, main, statement, verdict, text
        }
    }

    public struct StatementLine: Encodable {
        let block: Int
        let rule: String
        let text: String
        let translation: String?
    }

    let path: String
    let position: Int
    let url: String?
    let charset: String
    let decidedBy: String
    let invalidBytes: Int
    let charsetSteps: [String]
    let title: String?
    let lang: String?
    let script: String
    let published: String?
    let author: String?
    let profile: String?
    let mainContainer: String?
    let mainScore: Double
    let candidates: [String]
    let blocks: [BlockLine]
    let statements: [StatementLine]
    let notes: [String]
    let reject: String?

    enum CodingKeys: String, CodingKey {
        case path, position, url, charset, decidedBy = "decided_by", invalidBytes = "invalid_bytes"
        case charsetSteps = "charset_steps", title, lang, script, published, author, profile
        case mainContainer = "main_container", mainScore = "main_score", candidates, blocks, statements, notes, reject
    }

    public init(_ page: ReadPage, finder: StatementFinder, profile: SiteProfile?) {
        path = page.raw.source.path
        position = page.raw.source.position
        url = page.raw.source.url
        charset = page.charset.name
        decidedBy = page.charset.decidedBy.rawValue
        invalidBytes = page.charset.invalidBytes
        charsetSteps = page.charsetTrace
        title = page.metadata.title
        lang = page.metadata.lang
        script = page.script
        published = page.metadata.published
        author = page.metadata.author
        self.profile = profile?.name ?? profile?.item
        func describe(_ element: Int) -> String {
            let node = page.document.nodes[element]
            var name = "<\(node.name)"
            if let id = page.document.attribute("id", of: element) { name += " id=\"\(id)\"" }
            if let cls = page.document.attribute("class", of: element) { name += " class=\"\(cls)\"" }
            return name + ">"
        }
        mainContainer = page.mainContent.container.map(describe)
        candidates = page.mainContent.candidates.map { "\(describe($0.element)) \((($0.score * 100).rounded() / 100))" }
        mainScore = page.mainContent.containerScore
        let main = Set(page.mainContent.blocks)
        let statementBlocks = Set(page.statements.map(\.blockIndex))
        blocks = page.blocks.enumerated().map { index, block in
            let assessment = finder.assess(block)
            let isStatement = statementBlocks.contains(index)
            return BlockLine(index: index, tag: block.tag, path: BlockExtractor.path(of: block, in: page.document),
                             characters: block.characters,
                             linkDensity: block.linkDensity, characterDensity: block.characterDensity,
                             score: page.mainContent.blockScores[index], boilerplate: block.boilerplate,
                             main: main.contains(index), statement: isStatement,
                             verdict: isStatement ? "statement" : assessment.reason, text: block.text)
        }
        statements = page.statements.map { StatementLine(block: $0.blockIndex, rule: $0.rule, text: $0.text, translation: $0.translation) }
        notes = page.notes
        reject = nil
    }

    public init(rejected: Reject) {
        path = rejected.input
        position = rejected.position
        url = nil; charset = ""; decidedBy = ""; invalidBytes = 0; charsetSteps = []; title = nil; lang = nil
        script = ""; published = nil; author = nil; profile = nil; mainContainer = nil; mainScore = 0; candidates = []
        blocks = []; statements = []; notes = []
        reject = rejected.reason
    }

    /// The human-readable report.
    public var text: String {
        var out = "\(path)" + (position > 0 || url != nil ? " (page \(position)\(url.map { ", " + $0 } ?? ""))" : "") + "\n"
        if let reject { return out + "  rejected: \(reject)\n" }
        out += "  charset    \(charset), decided by \(decidedBy), \(invalidBytes) invalid bytes\n"
        for step in charsetSteps { out += "             - \(step)\n" }
        out += "  title      \(title ?? "—")\n"
        out += "  language   \(lang ?? "—") (declared), script \(script)\n"
        out += "  published  \(published ?? "—")    author \(author ?? "—")\n"
        if let profile { out += "  profile    \(profile)\n" }
        let mainCount = blocks.filter(\.main).count
        out += "  main text  \(mainContainer ?? "—") score \(format(mainScore)): \(mainCount) of \(blocks.count) blocks\n"
        for candidate in candidates.dropFirst() { out += "             runner-up \(candidate)\n" }
        for note in notes { out += "  note       \(note)\n" }
        out += "  blocks     #   tag         chars links density  score  main  verdict\n"
        for block in blocks {
            let preview = String(block.text.replacingNewlines().prefix(40))
            out += "           " + pad(String(block.index), 4) + " " + pad(block.tag, 10, left: true) + pad(String(block.characters), 6)
                + pad(format(block.linkDensity), 6) + pad(format(block.characterDensity), 8) + pad(format(block.score), 7)
                + (block.main ? "  main " : "       ") + (block.boilerplate ? "[furniture] " : "") + block.verdict
                + "  | " + preview + "\n"
        }
        out += "  statements \(statements.count)\n"
        for (i, statement) in statements.enumerated() {
            out += "    \(i + 1). " + (statement.block >= 0 ? "[block \(statement.block)] " : "") + statement.rule + "\n"
            out += "       " + String(statement.text.replacingNewlines().prefix(100)) + "\n"
            if let translation = statement.translation {
                out += "       translation: " + String(translation.replacingNewlines().prefix(80)) + "\n"
            }
        }
        return out
    }

    private func format(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    private func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return left ? text + padding : padding + text
    }
}

extension String {
    fileprivate func replacingNewlines() -> String {
        String(map { $0 == "\n" ? "⏎" : $0 })
    }
}
