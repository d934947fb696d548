import CLibXML2
import DeclprocCollections
import DeclprocICU
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Parses HTML with libxml2 and hands back Swift values; no libxml2 pointer
/// survives a call.
///
/// Bytes must already be UTF-8: the reader decides and decodes the charset with
/// ICU, because libxml2's own guess fails on mislabelled GBK pages (FACTS 10, 19).
public enum HTMLParser {
    public struct Options: Sendable {
        /// Deepest level kept as-is; deeper nodes are re-attached at this level. At most
        /// 65,535 (a node keeps its depth in 16 bits).
        public var maxDepth: Int
        /// XPath expressions to evaluate on libxml2's tree before it is freed; their
        /// results land in `HTMLDocument.selections`.
        public var xpaths: [String]
        /// Whether `<script>` and `<style>` elements keep their text. Reading a page
        /// for its statements never looks at it, and on real pages it is most of the
        /// bytes: without it, none of it is copied.
        public var keepsScriptText: Bool
        /// The attributes kept, by lower-case name; nil keeps all. A reader that asks
        /// for a few (class, id, style…) is spared a String for every other value:
        /// links, image sources, event handlers are much of a real page's markup.
        public var attributes: Set<String>? { didSet { keptNames = attributes.flatMap(AttributeNameFilter.init) } }
        /// `attributes` told on a page's bytes (`TreeBuilder.compactStartTag`): made
        /// with the options, not at each parse, where it was some forty allocations a page.
        var keptNames: AttributeNameFilter?
        public init(maxDepth: Int = 512, xpaths: [String] = [], keepsScriptText: Bool = true, attributes: Set<String>? = nil) {
            self.maxDepth = maxDepth
            self.xpaths = xpaths
            self.keepsScriptText = keepsScriptText
            self.attributes = attributes
            keptNames = attributes.flatMap(AttributeNameFilter.init)
        }

        var depthCap: Int { min(max(1, maxDepth), Int(UInt16.max)) }
    }

    /// An XPath expression libxml2 cannot compile.
    public struct InvalidXPath: Error, CustomStringConvertible {
        public let expression: String
        public var description: String { "invalid XPath expression: \(expression)" }
    }

    /// Checks that an expression compiles, so a bad profile fails before any page is read.
    public static func validate(xpath: String) throws(InvalidXPath) {
        _ = initialized
        guard let compiled = xmlXPathCompile(xpath) else { throw InvalidXPath(expression: xpath) }
        xmlXPathFreeCompExpr(compiled)
    }

    /// How many times libxml2 asked to load an external resource (DTD, entity,
    /// XInclude). Every such request is refused; the counter lets tests prove it.
    public static var externalLoadAttempts: Int { loadAttempts.load(ordering: .relaxed) }

    /// Parses UTF-8 bytes; ill-formed sequences are read as libxml2 reads them.
    public static func parse(utf8 bytes: [UInt8], options: Options = Options()) -> HTMLDocument {
        bytes.withUnsafeBufferPointer { parse($0, validUTF8: UTF8Code.isValid($0), options: options) }
    }

    /// Parses a page already decoded to text: its UTF-8 is parsed in place, and known
    /// to be well formed.
    public static func parse(_ text: String, options: Options = Options()) -> HTMLDocument {
        var text = text
        return text.withUTF8 { parse($0, validUTF8: true, options: options) }
    }

    /// Parses a page as the reader hands it over; `names`, a reader's own, holds the
    /// element names of the pages it parsed before.
    public static func parse(_ text: WellFormedUTF8, options: Options = Options(), names: NameCache? = nil) -> HTMLDocument {
        text.bytes.withUnsafeBufferPointer { parse($0, validUTF8: true, options: options, names: names) }
    }

    /// Element names as documents keep them, by their bytes, kept from page to page by
    /// one reader (a worker; the cache is not shared between threads): libxml2 interns
    /// a page's names afresh for every parse, and making a name's string, its lower
    /// case, tag number and libxml2's description of it cost some 1,200 instructions a
    /// name a page. Let go when it holds `bound` names.
    public final class NameCache {
        private var elements: [NameKey: TreeBuilder.ElementName] = [:]
        static let bound = 1 << 12

        public init() {}

        func element(_ name: UnsafePointer<xmlChar>) -> TreeBuilder.ElementName {
            guard let key = NameKey(name) else { return TreeBuilder.elementName(name) }
            if let known = elements[key] { return known }
            let made = TreeBuilder.elementName(name)
            if elements.count >= Self.bound { elements.removeAll(keepingCapacity: true) }
            elements[key] = made
            return made
        }
    }

    /// A name of at most sixteen bytes, packed into two words (zeros after it: a name
    /// holds no NUL); nil for a longer one.
    struct NameKey: Hashable {
        let low: UInt64, high: UInt64

        init?(_ name: UnsafePointer<xmlChar>) {
            var words: (UInt64, UInt64) = (0, 0)
            var k = 0
            while name[k] != 0 {
                guard k < 16 else { return nil }
                if k < 8 { words.0 |= UInt64(name[k]) << (8 * UInt64(k)) } else { words.1 |= UInt64(name[k]) << (8 * UInt64(k - 8)) }
                k += 1
            }
            (low, high) = words
        }
    }

    /// RECOVER: real pages are broken. NONET: never touch the network.
    /// NOERROR/NOWARNING: problems are normal here, not news. COMPACT: less memory.
    /// HUGE lifts libxml2's nesting limit, which would otherwise cut deep pages
    /// short and lose their text; our own cap bounds depth instead.
    static let flags = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NONET.rawValue | HTML_PARSE_NOERROR.rawValue
        | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_COMPACT.rawValue | HTML_PARSE_NOIMPLIED.rawValue)
        | Int32(XML_PARSE_HUGE.rawValue)

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>, validUTF8: Bool, options: Options, names: NameCache? = nil) -> HTMLDocument {
        _ = initialized
        // An empty page still parses (to an empty document), so give libxml2 one NUL byte.
        let nul: [UInt8] = [0]
        return nul.withUnsafeBufferPointer { nulBuffer in
            let input = bytes.isEmpty ? nulBuffer : bytes
            // Without XPath selections, the document is built from libxml2's parse events
            // (SAX): no libxml2 tree is made, so a page of a million nested elements costs
            // our capped tree, not 180 MB of libxml2 nodes as well.
            if options.xpaths.isEmpty {
                return TreeBuilder.build(input, count: bytes.count, flags: flags, maxDepth: options.depthCap,
                                         validUTF8: validUTF8, keepsScriptText: options.keepsScriptText,
                                         attributes: options.attributes, keptNames: options.keptNames, names: names).document
            }
            let doc: htmlDocPtr? = input.withMemoryRebound(to: CChar.self) {
                htmlReadMemory($0.baseAddress, Int32(bytes.count), "", "UTF-8", flags)
            }
            guard let doc else { return HTMLDocument() }
            defer { xmlFreeDoc(doc) }
            var indexes: [UnsafeMutableRawPointer: Int]? = options.xpaths.isEmpty ? nil : [:]
            var document = convert(doc, maxDepth: options.depthCap, keepsScriptText: options.keepsScriptText,
                                   attributes: options.attributes, indexes: &indexes)
            if let indexes {
                for expression in options.xpaths {
                    document.selections[expression] = evaluate(expression, in: doc, indexes: indexes)
                }
            }
            return document
        }
    }

    private static func evaluate(_ expression: String, in doc: htmlDocPtr,
                                 indexes: [UnsafeMutableRawPointer: Int]) -> XPathSelection {
        var selection = XPathSelection()
        guard let context = xmlXPathNewContext(doc) else { return selection }
        defer { xmlXPathFreeContext(context) }
        guard let result = xmlXPathEvalExpression(expression, context) else { return selection }
        defer { xmlXPathFreeObject(result) }
        switch result.pointee.type {
        case XPATH_NODESET:
            guard let set = result.pointee.nodesetval else { break }
            for i in 0..<Int(set.pointee.nodeNr) {
                guard let node = set.pointee.nodeTab[i] else { continue }
                if node.pointee.type == XML_ATTRIBUTE_NODE {
                    // An attribute's value is the text of its children.
                    var value = ""
                    var child = node.pointee.children
                    while let text = child {
                        if let content = text.pointee.content { value += String(cString: content) }
                        child = text.pointee.next
                    }
                    selection.strings.append(value)
                } else if let index = indexes[UnsafeMutableRawPointer(node)] {
                    selection.nodes.append(index)
                }
            }
        case XPATH_STRING:
            if let value = result.pointee.stringval { selection.strings.append(String(cString: value)) }
        case XPATH_NUMBER:
            selection.strings.append(String(result.pointee.floatval))
        case XPATH_BOOLEAN:
            selection.strings.append(result.pointee.boolval != 0 ? "true" : "false")
        default:
            break
        }
        return selection
    }

    /// libxml2's version string at run time, e.g. "2.9.14".
    public static var libxml2Version: String {
        _ = initialized
        guard let raw = __xmlParserVersion()?.pointee else { return LIBXML_DOTTED_VERSION }
        // xmlParserVersion is "20914": major, two-digit minor, two-digit patch.
        guard let number = Int(String(cString: raw)) else { return LIBXML_DOTTED_VERSION }
        return "\(number / 10000).\(number / 100 % 100).\(number % 100)"
    }

    private static let loadAttempts = Atomic<Int>(0)

    /// xmlInitParser once per process, and a loader that refuses every external
    /// resource, whatever options a caller passes.
    private static let initialized: Void = {
        xmlInitParser()
        // Parse and XPath errors are expected on real pages and reported our own way;
        // libxml2 must not print them to stderr.
        xmlSetStructuredErrorFunc(nil) { _, _ in }
        xmlSetExternalEntityLoader { _, _, _ in
            HTMLParser.loadAttempts.add(1, ordering: .relaxed)
            return nil
        }
    }()

    /// Walks the libxml2 tree with an explicit stack (a page nested a million deep
    /// must not overflow ours) and copies it into Swift values.
    private static func convert(_ doc: htmlDocPtr, maxDepth: Int, keepsScriptText: Bool, attributes kept: Set<String>?,
                                indexes: inout [UnsafeMutableRawPointer: Int]?) -> HTMLDocument {
        var result = HTMLDocument()
        // (libxml2 node, parent index in result, depth)
        var stack: [(xmlNodePtr, Int, Int)] = []
        var child = doc.pointee.children
        var topLevel: [xmlNodePtr] = []
        while let node = child { topLevel.append(node); child = node.pointee.next }
        for node in topLevel.reversed() { stack.append((node, -1, 0)) }

        while let (node, requestedParent, requestedDepth) = stack.popLast() {
            var parent = requestedParent
            var depth = requestedDepth
            if depth > maxDepth {
                result.nodesBeyondDepthCap += 1
                depth = maxDepth
                // Re-attach at the cap: walk up from the requested parent until its depth is below the cap.
                while parent >= 0, result.nodes[parent].depth >= maxDepth { parent = result.nodes[parent].parent }
            }
            let kind: HTMLDocument.Node.Kind
            var name = ""
            var text = ""
            let firstAttribute = result.attributeList.count
            switch node.pointee.type {
            case XML_ELEMENT_NODE:
                kind = .element
                name = node.pointee.name.map { String(cString: $0).lowercased() } ?? ""
                var attribute = node.pointee.properties
                while let a = attribute {
                    let attributeName = a.pointee.name.map { String(cString: $0).lowercased() } ?? ""
                    if let kept, !kept.contains(attributeName) {
                        attribute = a.pointee.next
                        continue
                    }
                    var value = ""
                    var valueNode = a.pointee.children
                    while let v = valueNode {
                        if let content = v.pointee.content { value += String(cString: content) }
                        valueNode = v.pointee.next
                    }
                    result.attributeList.append(.init(name: attributeName, value: value))
                    attribute = a.pointee.next
                }
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if !keepsScriptText, parent >= 0, case let name = result.nodes[parent].name, name == "script" || name == "style" { continue }
                kind = .text
                text = node.pointee.content.map { String(cString: $0) } ?? ""
                // libxml2 leaves "&nbsp" without its semicolon as written; browsers (and
                // the people who wrote these pages) read it as a no-break space.
                if text.utf8.withContiguousStorageIfAvailable(containsNbspEntity) ?? text.contains("&nbsp") {
                    text = text.replacingNbspWithoutSemicolon()
                }
            case XML_COMMENT_NODE:
                kind = .comment
                text = node.pointee.content.map { String(cString: $0) } ?? ""
            default:
                continue // DTD, processing instructions, entity declarations: not content
            }
            let index = result.nodes.count
            indexes?[UnsafeMutableRawPointer(node)] = index
            result.nodes.append(.init(kind: kind, name: name, attributes: firstAttribute..<result.attributeList.count, text: text,
                                      parent: parent, depth: depth))
            if parent < 0 { result.roots.append(index) }
            if kind == .element {
                var children: [xmlNodePtr] = []
                var c = node.pointee.children
                while let n = c { children.append(n); c = n.pointee.next }
                for n in children.reversed() { stack.append((n, index, depth + 1)) }
            }
        }
        // The subtrees' ends. libxml2's finished tree is walked in document order, so no
        // node should move; if one did, the selections follow it.
        if let newIndex = result.layOut(), let old = indexes {
            indexes = old.mapValues { newIndex[$0] }
        }
        return result
    }
}

private let nbspEntity: [UInt8] = Array("&nbsp".utf8)

/// Whether the text holds "&nbsp": tested on the bytes, because String's `contains`
/// (through the string-processing library) cost 4% of `extract` on every text node.
func containsNbspEntity(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let base = bytes.baseAddress else { return false }
    let entity = nbspEntity
    var at = 0
    while at < bytes.count, let found = memchr(base + at, 0x26, bytes.count - at) {
        let i = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        if bytes.count - i >= entity.count, memcmp(base + i, entity, entity.count) == 0 { return true }
        at = i + 1
    }
    return false
}

extension String {
    func replacingNbspWithoutSemicolon() -> String {
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: "&nbsp") {
            result += rest[..<range.lowerBound]
            result += "\u{A0}"
            rest = rest[range.upperBound...]
            if rest.first == ";" { rest = rest.dropFirst() }
        }
        return result + rest
    }
}

/// Builds an `HTMLDocument` from libxml2's HTML parse events, the way libxml2's own
/// tree builder would (same elements, same implied and auto-closed tags, adjacent
/// text joined, text outside any element dropped), with the depth cap applied as
/// nodes arrive. `HTMLParserTests` checks both builders agree on real pages.
///
/// A struct the parse events reach through a pointer: as a class, every event's
/// writes to its properties went through the runtime's exclusivity checks, a call
/// each, over a hundred thousand for two hundred pages.
struct TreeBuilder {
    var document = HTMLDocument()
    /// Open elements: their index in `document.nodes`.
    var open: [Int] = []
    /// Text not yet made a node: libxml2 hands text over in pieces, and its tree
    /// builder joins adjacent pieces into one node.
    var pending: [UInt8] = []
    var pendingIsCData = false
    /// A `<!DOCTYPE>` makes libxml2's first top-level node a DTD; see `append`.
    var hasDocumentType = false
    let maxDepth: Int
    /// The input is well-formed UTF-8, so text can be taken as it stands (see
    /// `takeRawText` and `takeText`).
    let validUTF8: Bool
    let keepsScriptText: Bool
    /// The open script or style element whose text is left out (without `keepsScriptText`).
    var textless = -1
    /// The parser whose events these are, for `takeRawText` and `takeText`.
    var parser: htmlParserCtxtPtr? = nil
    /// Where libxml2 stands when it tells the end of the empty element (`<br>`) or
    /// the element closed at once (`<p/>`) that just started, for `end`.
    var emptyEnd: UnsafePointer<xmlChar>? = nil
    /// Bytes of text read here instead of by libxml2 (`takeText`, `takeRawText`):
    /// tests hold the share up, so that a change cannot quietly turn the reading off.
    var bytesTaken = 0
    /// Element and attribute names made so far, by libxml2's pointer (see `InternedNames`).
    var elementNames = InternedNames<ElementName>()
    var attributeNames = InternedNames<AttributeName>()
    /// Element names of earlier pages (`HTMLParser.NameCache`), when the caller keeps them.
    var names: HTMLParser.NameCache? = nil
    /// The attributes kept (`HTMLParser.Options.attributes`); nil: all.
    let keptAttributes: Set<String>?
    /// The same names, told on the page's bytes, for `compactStartTag`; nil: every
    /// attribute is kept (or a kept name is not one this reads).
    var keptNames: AttributeNameFilter?
    /// Bytes of start tags' attributes left out before libxml2 read them (`compactStartTag`):
    /// tests hold the share up, as they do `bytesTaken`.
    var bytesDropped = 0
    /// Where a start tag's kept attributes are, and the tag made of them (`compactStartTag`).
    var keptSpans: [(start: UnsafeMutablePointer<xmlChar>, end: UnsafeMutablePointer<xmlChar>)] = []
    var compactTag: [UInt8] = []

    /// `keptNames`: `attributes` as an `AttributeNameFilter` makes them (nil when it cannot).
    init(maxDepth: Int, validUTF8: Bool, keepsScriptText: Bool, attributes: Set<String>?, keptNames: AttributeNameFilter?) {
        self.maxDepth = maxDepth
        self.validUTF8 = validUTF8
        self.keepsScriptText = keepsScriptText
        keptAttributes = attributes
        self.keptNames = keptNames
    }

    /// An attribute's name as the document keeps it, and whether it is kept at all.
    struct AttributeName {
        let name: String
        let isKept: Bool
    }

    /// The builder after the parse: its document, and how much it read past libxml2.
    static func build(_ input: UnsafeBufferPointer<UInt8>, count: Int, flags: Int32, maxDepth: Int,
                      validUTF8: Bool, keepsScriptText: Bool, attributes: Set<String>? = nil,
                      keptNames: AttributeNameFilter?, names: HTMLParser.NameCache? = nil) -> TreeBuilder {
        let builder = UnsafeMutablePointer<TreeBuilder>.allocate(capacity: 1)
        builder.initialize(to: TreeBuilder(maxDepth: maxDepth, validUTF8: validUTF8, keepsScriptText: keepsScriptText,
                                           attributes: attributes, keptNames: keptNames))
        builder.pointee.names = names
        // libxml2 takes a NUL for the input's end: start tags are written again
        // (`compactStartTag`) only in a page without one, the reader's pages.
        if count > 0, let base = input.baseAddress, memchr(base, 0, count) != nil { builder.pointee.keptNames = nil }
        // About an attribute kept for every 256 bytes of a crawled page, and a node for
        // every 64, to start with (grown from nothing, the nodes were copied some nine
        // times a page); no more than 32,768 nodes (1.3 MB) before a page shows it needs them.
        builder.pointee.document.attributeList.reserveCapacity(count / 256)
        builder.pointee.document.nodes.reserveCapacity(min(count / 64, 1 << 15))
        defer {
            builder.deinitialize(count: 1)
            builder.deallocate()
        }
        do {
            input.withMemoryRebound(to: CChar.self) { chars in
                guard let context = htmlCreateMemoryParserCtxt(chars.baseAddress, Int32(count)) else { return }
                builder.pointee.parser = context
                defer { htmlFreeParserCtxt(context) }
                guard let sax = context.pointee.sax else { return }
                // Only the events that make content; no libxml2 document is created.
                memset(sax, 0, MemoryLayout<xmlSAXHandler>.size)
                sax.pointee.initialized = 1
                sax.pointee.startElement = { context, name, attributes in TreeBuilder.at(context).pointee.start(name, attributes) }
                sax.pointee.endElement = { context, name in TreeBuilder.at(context).pointee.end(name) }
                sax.pointee.characters = { context, text, length in TreeBuilder.at(context).pointee.characters(text, length, cdata: false) }
                sax.pointee.cdataBlock = { context, text, length in TreeBuilder.at(context).pointee.characters(text, length, cdata: true) }
                sax.pointee.comment = { context, text in TreeBuilder.at(context).pointee.comment(text) }
                sax.pointee.internalSubset = { context, _, _, _ in TreeBuilder.at(context).pointee.hasDocumentType = true }
                context.pointee.userData = UnsafeMutableRawPointer(builder)
                _ = htmlCtxtUseOptions(context, flags)
                if validUTF8 {
                    // Read in place: a UTF-8 "converter" would copy the whole page into a
                    // second buffer (reserved at twice its size) and cost a pass over it,
                    // to change nothing in well-formed UTF-8. The encoding
                    // named, as htmlReadMemory(…, "UTF-8", …) names it, so that a
                    // <meta charset> in the page cannot switch the decoding.
                    _ = xmlSwitchEncoding(context, XML_CHAR_ENCODING_UTF8)
                    if let input = context.pointee.input { input.pointee.encoding = UnsafePointer(xmlStrdup("UTF-8")) }
                } else if let utf8 = xmlFindCharEncodingHandler("UTF-8") {
                    // As htmlReadMemory(…, "UTF-8", …) does: bytes that are not UTF-8 become U+FFFD alike.
                    _ = xmlSwitchToEncoding(context, utf8)
                }
                _ = htmlParseDocument(context)
                if let doc = context.pointee.myDoc { xmlFreeDoc(doc); context.pointee.myDoc = nil }
            }
        }
        builder.pointee.finish()
        return builder.pointee
    }

    static func at(_ context: UnsafeMutableRawPointer?) -> UnsafeMutablePointer<TreeBuilder> {
        context!.assumingMemoryBound(to: TreeBuilder.self)
    }

    /// A new node under the current element (or at the top), with the depth cap.
    private mutating func append(_ kind: HTMLDocument.Node.Kind, name: String, tag: UInt8 = 0, attributes: Range<Int> = 0..<0,
                                 text: String) -> Int {
        var parent = open.last ?? -1
        // libxml2's tree builder puts an element that starts after the top-level
        // element closed inside that element (unless a DTD or comment came first).
        if parent < 0, kind == .element, !hasDocumentType, let first = document.roots.first, document.nodes[first].kind == .element {
            parent = first
        }
        var depth = parent >= 0 ? document.nodes[parent].depth + 1 : 0
        if depth > maxDepth {
            document.nodesBeyondDepthCap += 1
            depth = maxDepth
            while parent >= 0, document.nodes[parent].depth >= maxDepth { parent = document.nodes[parent].parent }
        }
        let index = document.nodes.count
        document.nodes.append(.init(kind: kind, name: name, tag: tag, attributes: attributes, text: text, parent: parent, depth: depth))
        if parent < 0 { document.roots.append(index) }
        return index
    }

    mutating func start(_ name: UnsafePointer<xmlChar>?, _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
        flush()
        let firstAttribute = document.attributeList.count
        if let attributes {
            var count = 0
            while attributes[2 * count] != nil { count += 1 }
            let kept = keptAttributes
            for k in 0..<count {
                let key = attributes[2 * k]!
                let interned = attributeNames.value(key) {
                    let lowered = String(cString: $0).lowercased()
                    return AttributeName(name: lowered, isKept: kept?.contains(lowered) ?? true)
                }
                guard interned.isKept else { continue }
                let attributeName = interned.name
                var value = ""
                if let raw = attributes[2 * k + 1] {
                    value = String(cString: raw)
                } else if Self.booleanAttributes.contains(attributeName) {
                    value = attributeName // as libxml2's tree builder writes <input checked>
                }
                document.attributeList.append(.init(name: attributeName, value: value))
            }
        }
        let element = name.map { name in
            if let names = self.names { return elementNames.value(name, names.element) }
            return elementNames.value(name, Self.elementName)
        }
            ?? ElementName(name: "", tag: 0, isEmpty: false, isRawText: false)
        let index = append(.element, name: element.name, tag: element.tag, attributes: firstAttribute..<document.attributeList.count, text: "")
        open.append(index)
        emptyEnd = nil
        if let name, element.isRawText {
            if !keepsScriptText { textless = index }
            takeRawText(name)
        } else if validUTF8 {
            afterStartTag(isEmpty: element.isEmpty)
        }
    }

    /// What libxml2 reads after a start tag: the element's first text, unless the
    /// element is empty (`<br>`) or closed at once (`<p/>`); then the text after its
    /// end event, which `end` takes (`emptyEnd` tells it where that event comes).
    private mutating func afterStartTag(isEmpty: Bool) {
        guard let context = parser, let input = context.pointee.input, let at = input.pointee.cur else { return }
        let cursor = UnsafeMutablePointer(mutating: at)
        if cursor[0] == 0x2F, cursor[1] == 0x3E { emptyEnd = at + 2; return } // the input ends in a NUL, so cursor[1] is there
        guard cursor.pointee == 0x3E else { return }
        if isEmpty { emptyEnd = at + 1; return }
        // The <p> libxml2 implies for text in <head>, in <html> or outside any element
        // (`htmlCheckParagraph`) arrives as a start event in the middle of that text;
        // a parent that is none of those tells a start tag read from the page.
        let depth = Int(context.pointee.nameNr)
        guard depth >= 2, let names = context.pointee.nameTab,
              Self.holdsPlainText(names[depth - 1]), Self.holdsPlainText(names[depth - 2]) else { return }
        takeText(from: cursor + 1, rewinding: true)
    }

    /// Text libxml2 would read next, at `start`, taken in one piece instead of
    /// libxml2's character-by-character scan (on Chinese pages most of the bytes are
    /// such text, and that scan over a third of parsing them).
    ///
    /// Called from an event after which libxml2 (2.9.14, `htmlParseContentInternal` and
    /// `htmlParseCharData`) reads text under an element that is not `<html>` or
    /// `<head>` (where text would imply a `<p>`): it hands over everything up to the
    /// first `<` or `&`, in pieces joined here anyway. Here that text is found and
    /// handed over the same way, and libxml2 moved to its end (see `move`). Whenever
    /// the text is not plain (a NUL or a character libxml2 would leave out, or no `<`
    /// or `&` after it) libxml2 reads it itself.
    /// `TreeBuilderTests` checks the documents are the same as libxml2's own tree
    /// builder makes, on real pages, edge cases and scrambled pages.
    private mutating func takeText(from start: UnsafeMutablePointer<xmlChar>, rewinding: Bool) {
        guard let context = parser, let input = context.pointee.input, let last = input.pointee.end,
              context.pointee.token == 0, context.pointee.keepBlanks != 0, context.pointee.disableSAX == 0,
              context.pointee.instate != XML_PARSER_EOF else { return }
        let end = UnsafeMutablePointer(mutating: last)
        var p = start
        guard start < end, Self.scanPlainText(&p, to: end, ampersandStops: true) == .stop else { return }
        if p > start {
            characters(UnsafePointer(start), Int32(start.distance(to: p)), cdata: false)
            bytesTaken += start.distance(to: p)
        }
        var next = p
        if let keptNames, let compacted = Self.compactStartTag(at: p, end: end, keeping: keptNames, spans: &keptSpans, tag: &compactTag) {
            bytesDropped += p.distance(to: compacted)
            next = compacted
        }
        guard next > start else { return }
        Self.move(input, to: next, rewinding: rewinding)
    }

    /// The start tag at `p` written again without the attributes the parse does not
    /// keep, ending where it ended; returns where it starts now, nil when nothing is
    /// left out or the tag is not plain.
    ///
    /// libxml2 reads an attribute's name and value a character at a time, with a
    /// function call for each (2.9.14, `htmlParseStartTag`, `htmlParseHTMLName`,
    /// `htmlParseHTMLAttribute`): on the benchmark's web pages the attributes nobody
    /// reads (links, titles, data-) are a ninth of the bytes, and the parse without
    /// them took a fifth fewer instructions. Called
    /// where `takeText` stops at a `<`: libxml2 reads a start tag there when a
    /// letter follows. The tag is read here as libxml2 reads it: a name; blanks;
    /// attributes, each a name, then maybe `=` and a value (quoted to its closing
    /// quote, or unquoted up to a blank or `>`); `>` or `/>` at the end. The kept
    /// attributes are written as they stand, a space before each, right-aligned
    /// against the tag's end (the bytes before it are then never read), so libxml2
    /// reads the same names and values in the same order and the same ending; a space
    /// before `/>` keeps an unquoted value from taking the `/`. Whenever the tag is not
    /// plain (a name of 100 bytes or more, which libxml2 cuts; a byte where an
    /// attribute's name should start; no end) or it is `<meta>` (whose attributes
    /// libxml2 reads for a charset), it is left to libxml2 whole.
    /// `TreeBuilderTests` checks the documents are the ones libxml2's own tree
    /// builder makes keeping the same attributes.
    static func compactStartTag(at p: UnsafeMutablePointer<xmlChar>, end: UnsafeMutablePointer<xmlChar>,
                                keeping names: AttributeNameFilter, spans: inout [(start: UnsafeMutablePointer<xmlChar>, end: UnsafeMutablePointer<xmlChar>)],
                                tag: inout [UInt8])
        -> UnsafeMutablePointer<xmlChar>? {
        @inline(__always) func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D }
        guard p.distance(to: end) >= 2, p[0] == 0x3C, AttributeNameFilter.isLetter(p[1]) else { return nil }
        var q = p + 1
        while q < end, AttributeNameFilter.isNameByte(q.pointee) { q += 1 }
        let nameLength = (p + 1).distance(to: q)
        // Most tags have no attributes: told at once.
        guard q < end, q.pointee != 0x3E, nameLength < 100 else { return nil }
        if nameLength == 4, p[1] | 0x20 == 0x6D, p[2] | 0x20 == 0x65, p[3] | 0x20 == 0x74, p[4] | 0x20 == 0x61 { return nil } // meta
        var kept = 0 // the spans of this tag: the first `kept` of `spans`
        var dropped = false
        var closing = 0 // 1: ">", 2: "/>"
        while true {
            while q < end, isBlank(q.pointee) { q += 1 }
            guard q < end else { return nil }
            let c = q.pointee
            if c == 0x3E { closing = 1; break }
            if c == 0x2F {
                guard q + 1 < end, q[1] == 0x3E else { return nil }
                closing = 2
                break
            }
            guard AttributeNameFilter.isLetter(c) || c == 0x5F || c == 0x3A || c == 0x2E else { return nil }
            let attributeStart = q
            while q < end, AttributeNameFilter.isNameByte(q.pointee) { q += 1 }
            let attributeNameLength = attributeStart.distance(to: q)
            guard attributeNameLength < 100 else { return nil }
            var attributeEnd = q
            var r = q
            while r < end, isBlank(r.pointee) { r += 1 }
            if r < end, r.pointee == 0x3D {
                r += 1
                while r < end, isBlank(r.pointee) { r += 1 }
                guard r < end else { return nil }
                let quote = r.pointee
                if quote == 0x22 || quote == 0x27 {
                    guard let close = memchr(r + 1, Int32(quote), (r + 1).distance(to: end)) else { return nil }
                    r = close.assumingMemoryBound(to: xmlChar.self) + 1
                } else {
                    while r < end, !isBlank(r.pointee), r.pointee != 0x3E { r += 1 }
                }
                attributeEnd = r
            }
            q = r
            if names.keeps(attributeStart, count: attributeNameLength, before: end) {
                if kept < spans.count { spans[kept] = (attributeStart, attributeEnd) } else { spans.append((attributeStart, attributeEnd)) }
                kept += 1
            } else {
                dropped = true
            }
        }
        guard dropped else { return nil }
        // Made aside first: written in place, a kept attribute could land on one not yet moved.
        tag.removeAll(keepingCapacity: true)
        tag.append(contentsOf: UnsafeBufferPointer(start: p, count: 1 + nameLength))
        for span in spans[..<kept] {
            tag.append(0x20)
            tag.append(contentsOf: UnsafeBufferPointer(start: span.start, count: span.start.distance(to: span.end)))
        }
        if closing == 2 { tag.append(contentsOf: [0x20, 0x2F, 0x3E]) } else { tag.append(0x3E) }
        let tagEnd = q + closing
        guard tag.count < p.distance(to: tagEnd) else { return nil }
        let start = tagEnd - tag.count
        tag.withUnsafeBufferPointer { _ = memcpy(start, $0.baseAddress!, $0.count) }
        return start
    }

    /// Moves libxml2's input to `end`, past text taken here. `rewinding`: from a start
    /// event, where libxml2 still has to step past the tag's `>` (2.9.14,
    /// `htmlParseElementInternal`), it is put on the text's last byte with a `>` written
    /// over it (the text is taken already).
    static func move(_ input: xmlParserInputPtr, to end: UnsafeMutablePointer<xmlChar>, rewinding: Bool) {
        if rewinding {
            (end - 1).pointee = 0x3E
            input.pointee.cur = UnsafePointer(end - 1)
        } else {
            input.pointee.cur = UnsafePointer(end)
        }
    }

    enum PlainTextScan { case stop, notPlain, end }

    /// Moves `p` to the first `<` (or `&`, with `ampersandStops`) of text libxml2 would
    /// keep byte for byte (valid UTF-8 assumed): `.notPlain` at a NUL or another
    /// character it leaves out (controls but tab, line feed and carriage return;
    /// U+FFFE, U+FFFF). Eight bytes at a step past those that need no look.
    @inline(__always)
    static func scanPlainText(_ p: inout UnsafeMutablePointer<xmlChar>, to end: UnsafeMutablePointer<xmlChar>,
                              ampersandStops: Bool) -> PlainTextScan {
        while true {
            while p.distance(to: end) >= 8 {
                let word = UTF8Code.word(at: p)
                if UTF8Code.hasByte(0x3C, in: word) || (ampersandStops && UTF8Code.hasByte(0x26, in: word))
                    || UTF8Code.hasByte(0xEF, in: word) || UTF8Code.hasByteBelowSpace(word) { break }
                p += 8
            }
            guard p < end else { return .end }
            // The next eight bytes one at a time (line feeds and tabs, the indentation
            // between tags, stop the word step), then words again.
            let stretch = p + min(8, p.distance(to: end))
            while p < stretch {
                let byte = p.pointee
                if byte == 0x3C || (ampersandStops && byte == 0x26) { return .stop }
                if byte < 0x20, byte != 0x09, byte != 0x0A, byte != 0x0D { return .notPlain }
                if byte == 0xEF, p.distance(to: end) >= 3, p[1] == 0xBF, p[2] == 0xBE || p[2] == 0xBF { return .notPlain }
                p += 1
            }
        }
    }

    /// Whether text read under this element (libxml2's name for it) is handed over as
    /// it is: not under none, `<html>` or `<head>` (libxml2 implies a `<p>` for it
    /// there), nor a script's or style sheet's (see `takeRawText`).
    static func holdsPlainText(_ name: UnsafePointer<xmlChar>?) -> Bool {
        guard let name else { return false }
        // Told by the first letter for most elements: asked twice at every tag.
        switch name.pointee {
        case 0x68: return strcmp(name, "html") != 0 && strcmp(name, "head") != 0 // h
        case 0x73: return strcmp(name, "script") != 0 && strcmp(name, "style") != 0 // s
        default: return true
        }
    }

    /// Whether the page's bytes just before `cursor` are the end tag `</name>`, in any case.
    static func endTag(_ name: UnsafePointer<xmlChar>, before cursor: UnsafePointer<xmlChar>,
                       from base: UnsafePointer<xmlChar>) -> Bool {
        let length = strlen(name)
        guard base.distance(to: cursor) >= length + 3, cursor[-1] == 0x3E else { return false }
        let tag = cursor - (length + 3)
        return tag[0] == 0x3C && tag[1] == 0x2F
            && strncasecmp(UnsafeRawPointer(tag + 2).assumingMemoryBound(to: CChar.self),
                           UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self), length) == 0
    }

    /// A script's or style sheet's text, taken in one piece instead of libxml2's
    /// character-by-character scan (on real pages scripts are most of the bytes, and
    /// that scan a third of parsing them).
    ///
    /// Called as the start tag is read, with libxml2 at its `>`. What libxml2 would do
    /// next (2.9.14, `htmlParseContentInternal` and `htmlParseScript` in recovery mode)
    /// is: unless the text starts with `<`, hand over everything up to the first `</`
    /// followed by the element's name in any case, or to the end, leaving out characters
    /// XML does not allow. Here that text is found and handed over the same way, and
    /// libxml2 is moved to its end: the `>` it expects is written over the text's last
    /// byte (the text is taken already) and the input put there. Whenever the text is
    /// not plain (a NUL, a character libxml2 would leave out, bytes that are not UTF-8,
    /// no end tag) libxml2 reads it itself, unless the text is left out anyway.
    /// `TreeBuilderTests` checks the documents are the same as libxml2's own tree
    /// builder makes, on real pages and edge cases.
    private mutating func takeRawText(_ name: UnsafePointer<xmlChar>) {
        guard let input = parser?.pointee.input, let cursor = input.pointee.cur, let last = input.pointee.end else { return }
        let gt = UnsafeMutablePointer(mutating: cursor), end = UnsafeMutablePointer(mutating: last)
        let start = gt + 1
        guard start < end, gt.pointee == 0x3E, start.pointee != 0x3C else { return }
        let keep = keepsScriptText
        // Text to keep must be what libxml2 would keep; text left out only needs its end.
        if keep, !validUTF8 { return }
        let nameLength = strlen(name)
        var p = start
        var stop: UnsafeMutablePointer<xmlChar>? = nil
        while p < end {
            if keep {
                // Not plain: libxml2 leaves characters out. No `<` left: no end tag.
                guard Self.scanPlainText(&p, to: end, ampersandStops: false) == .stop else { return }
            } else {
                guard let found = memchr(p, 0x3C, p.distance(to: end)) else { break }
                p = found.assumingMemoryBound(to: xmlChar.self)
            }
            if p.distance(to: end) >= 2 + nameLength, p[1] == 0x2F,
               strncasecmp(UnsafeRawPointer(p + 2).assumingMemoryBound(to: CChar.self),
                           UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self), nameLength) == 0 {
                stop = p
                break
            }
            p += 1
        }
        guard let stop else { return }
        if keep { characters(UnsafePointer(start), Int32(start.distance(to: stop)), cdata: true) }
        bytesTaken += start.distance(to: stop)
        Self.move(input, to: stop, rewinding: true)
    }

    /// An element's name as the document keeps it, whether libxml2 knows it as empty
    /// (no content, no end tag: `<br>`, `<img>`), and whether its text is a script's or
    /// style sheet's (`takeRawText`): told once per name and parse, not at every tag.
    struct ElementName {
        let name: String
        let tag: UInt8
        let isEmpty: Bool
        let isRawText: Bool
    }

    static func elementName(_ name: UnsafePointer<xmlChar>) -> ElementName {
        let local = localName(name)
        return ElementName(name: local, tag: HTMLDocument.tagNumber(local), isEmpty: htmlTagLookup(name)?.pointee.empty ?? 0 != 0,
                           isRawText: strcmp(name, "script") == 0 || strcmp(name, "style") == 0)
    }

    /// libxml2's tree keeps the local name of a prefixed element (wb:share → share).
    static func localName(_ name: UnsafePointer<xmlChar>) -> String {
        let full = String(cString: name).lowercased()
        // Found in the UTF-8: a Character search cost more than the rest of the element.
        if let colon = full.utf8.firstIndex(of: 0x3A), colon != full.startIndex,
           case let after = full.utf8.index(after: colon), after != full.endIndex {
            return String(full[after...])
        }
        return full
    }

    mutating func end(_ name: UnsafePointer<xmlChar>?) {
        flush()
        _ = open.popLast()
        let expected = emptyEnd
        emptyEnd = nil
        // After the end event of an end tag read from the page, of an empty element or
        // of one closed at once, libxml2 takes the element off its stack and reads text
        // under the element below. Other end events (elements closed by another tag,
        // or at the end of the page) come elsewhere: where a tag starts, or not after
        // their own end tag.
        guard validUTF8, let name, let context = parser, let input = context.pointee.input,
              let cursor = input.pointee.cur, let base = input.pointee.base else { return }
        guard cursor == expected || Self.endTag(name, before: cursor, from: base) else { return }
        let depth = Int(context.pointee.nameNr)
        guard depth >= 2, let names = context.pointee.nameTab, let current = names[depth - 1], strcmp(current, name) == 0,
              Self.holdsPlainText(names[depth - 2]) else { return }
        takeText(from: UnsafeMutablePointer(mutating: cursor), rewinding: false)
    }

    mutating func characters(_ text: UnsafePointer<xmlChar>?, _ length: Int32, cdata: Bool) {
        emptyEnd = nil
        // libxml2's tree builder drops text outside any element.
        guard let text, length > 0, let current = open.last, current != textless else { return }
        if !pending.isEmpty, pendingIsCData != cdata { flush() }
        pendingIsCData = cdata
        pending.append(contentsOf: UnsafeBufferPointer(start: text, count: Int(length)))
    }

    mutating func comment(_ text: UnsafePointer<xmlChar>?) {
        flush()
        emptyEnd = nil
        _ = append(.comment, name: "", text: text.map { String(cString: $0) } ?? "")
        // libxml2 reads a comment's text, steps past its `>` and tells it; inside an
        // element (not before the first, where libxml2 reads no text) text comes next.
        guard validUTF8, let context = parser, context.pointee.nameNr >= 1, Self.holdsPlainText(context.pointee.name),
              let cursor = context.pointee.input?.pointee.cur, cursor[-1] == 0x3E else { return }
        takeText(from: UnsafeMutablePointer(mutating: cursor), rewinding: false)
    }

    /// The pending text as one node. libxml2 leaves "&nbsp" without its semicolon
    /// as written; browsers (and the people who wrote these pages) read it as a
    /// no-break space.
    mutating func flush() {
        guard !pending.isEmpty else { return }
        var text = pending.withUnsafeBufferPointer(String.init(checkingUTF8:))
        if pending.withUnsafeBufferPointer(containsNbspEntity) { text = text.replacingNbspWithoutSemicolon() }
        _ = append(.text, name: "", text: text)
        pending.removeAll(keepingCapacity: true)
    }

    mutating func finish() {
        flush()
        _ = document.layOut()
    }

    /// HTML attributes libxml2 gives their own name as value when written bare.
    static let booleanAttributes: Set<String> = ["checked", "compact", "declare", "defer", "disabled", "ismap", "multiple",
                                                 "nohref", "noresize", "noshade", "nowrap", "readonly", "selected"]
}

/// Attribute names a parse keeps, told on a page's bytes in any case (libxml2
/// lower-cases A–Z in names): each name's bytes packed into two words, with the
/// bit 0x20 set in each byte. Among the bytes names are made of, that bit tells
/// only the case of a letter apart, so names meet as libxml2's lower-cased ones do.
/// nil for more than 32 names, or a name that is not 1 to 16 such bytes.
struct AttributeNameFilter {
    /// The keys in an open-addressed table of 64 places (at most 32 names); an empty
    /// place has a low word of 0, which no name's key has.
    private let table: [(low: UInt64, high: UInt64)]

    init?(_ names: Set<String>) {
        guard names.count <= 32 else { return nil }
        var table = [(low: UInt64, high: UInt64)](filledWith: (0, 0), count: 64)
        for name in names {
            var bytes = Array(name.utf8)
            guard (1...16).contains(bytes.count), bytes.allSatisfy(Self.isNameByte) else { return nil }
            bytes += [UInt8](filledWith: 0, count: 16 - bytes.count)
            let key = bytes.withUnsafeBufferPointer { Self.key($0.baseAddress!, count: name.utf8.count) }
            var slot = Self.slot(key.low)
            while table[slot].low != 0 { slot = (slot + 1) & 63 }
            table[slot] = key
        }
        self.table = table
    }

    @inline(__always) private static func slot(_ low: UInt64) -> Int { Int(truncatingIfNeeded: (low &* 0x9E37_79B9_7F4A_7C15) >> 58) }

    /// A–Z, a–z.
    @inline(__always) static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) &- 0x61 < 26 }

    /// The bytes libxml2 reads into an HTML name (2.9.14, `htmlParseHTMLName`):
    /// letters, digits, ":", "-", "_", ".". A bit per byte, in two words.
    @inline(__always) static func isNameByte(_ b: UInt8) -> Bool {
        let low: UInt64 = 1 << 0x2D | 1 << 0x2E | 0x7FF << 0x30 // - . 0…9 :
        let high: UInt64 = 0x3FF_FFFF << 1 | 1 << 0x1F | 0x3FF_FFFF << 0x21 // A…Z _ a…z
        return b < 0x80 && ((b < 0x40 ? low : high) >> UInt64(b & 0x3F)) & 1 != 0
    }

    /// The key of a name of `count` bytes (1 to 16) at `p`, where 16 bytes can be read.
    @inline(__always)
    private static func key(_ p: UnsafePointer<UInt8>, count: Int) -> (low: UInt64, high: UInt64) {
        let fold: UInt64 = 0x2020_2020_2020_2020
        let low = UnsafeRawPointer(p).loadUnaligned(as: UInt64.self), high = UnsafeRawPointer(p + 8).loadUnaligned(as: UInt64.self)
        if count >= 8 {
            let keep: UInt64 = count == 16 ? ~0 : (1 << UInt64(8 * (count - 8))) - 1
            return (UInt64(littleEndian: low) | fold, (UInt64(littleEndian: high) | fold) & keep)
        }
        let keep: UInt64 = (1 << UInt64(8 * count)) - 1
        return ((UInt64(littleEndian: low) | fold) & keep, 0)
    }

    /// Whether the name of `count` bytes at `p` is kept; `end` bounds what may be read.
    @inline(__always)
    func keeps(_ p: UnsafePointer<UInt8>, count: Int, before end: UnsafePointer<UInt8>) -> Bool {
        guard count <= 16 else { return false }
        let key: (low: UInt64, high: UInt64)
        if p.distance(to: end) >= 16 {
            key = Self.key(p, count: count)
        } else {
            var bytes = (UInt64(0), UInt64(0))
            withUnsafeMutableBytes(of: &bytes) { $0.baseAddress!.copyMemory(from: p, byteCount: count) }
            key = withUnsafeBytes(of: &bytes) { Self.key($0.baseAddress!.assumingMemoryBound(to: UInt8.self), count: count) }
        }
        return table.withUnsafeBufferPointer { table in
            var slot = Self.slot(key.low)
            while table[slot].low != 0 {
                if table[slot].low == key.low && table[slot].high == key.high { return true }
                slot = (slot + 1) & 63
            }
            return false
        }
    }
}

/// What is made of a name once per parse: libxml2's HTML parser interns every element
/// and attribute name (lower-cased) in the parse's dictionary, so its pointer stands
/// for one name while the parse lasts. A table probed from the pointer's bits: a
/// Swift Dictionary hashed each pointer at about 140 instructions a lookup, two
/// lookups an element. It starts small (a crawled page has a dozen to thirty names,
/// and filling a large table cost more than its lookups saved there) and doubles
/// when half full.
struct InternedNames<Value> {
    private var keys = [UnsafeRawPointer?](filledWith: nil, count: 64)
    private var values = [Value?](filledWith: nil, count: 64)
    private var count = 0

    @inline(__always)
    private static func slot(_ key: UnsafeRawPointer, mask: Int) -> Int {
        let bits = UInt(bitPattern: key)
        return Int(truncatingIfNeeded: bits >> 3 ^ bits >> 11) & mask
    }

    @inline(__always)
    mutating func value(_ name: UnsafePointer<xmlChar>, _ make: (UnsafePointer<xmlChar>) -> Value) -> Value {
        let key = UnsafeRawPointer(name)
        let mask = keys.count - 1
        var slot = Self.slot(key, mask: mask)
        while let known = keys[slot] {
            if known == key, let value = values[slot] { return value }
            slot = (slot + 1) & mask
        }
        let made = make(name)
        keys[slot] = key
        values[slot] = made
        count += 1
        if count * 2 >= keys.count { grow() }
        return made
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        keys = Array(filledWith: nil, count: oldKeys.count * 2)
        values = Array(filledWith: nil, count: oldKeys.count * 2)
        let mask = keys.count - 1
        for (key, value) in zip(oldKeys, oldValues) {
            guard let key else { continue }
            var slot = Self.slot(key, mask: mask)
            while keys[slot] != nil { slot = (slot + 1) & mask }
            keys[slot] = key
            values[slot] = value
        }
    }
}
