import DeclprocICU

/// Records written as JSON by hand, keys in sorted order: the same bytes as
/// `JSONEncoder` with `.sortedKeys` and `.withoutEscapingSlashes` (a test compares the
/// two on every record of the samples and fixtures), several times faster, because
/// the schema is fixed and nothing is boxed on the way.
public enum RecordJSON {
    /// `lineEnd`: a newline after the record, written with it (a JSON Lines line),
    /// rather than appended to the array made of it, which could copy it again.
    public static func encode(_ r: StatementRecord, lineEnd: Bool = false) -> [UInt8] {
        var w = Writer()
        _ = write(r, to: &w)
        if lineEnd { w.sink.append(0x0A) }
        return w.bytes
    }

    /// Statement records as JSON Lines in one buffer, for a worker to encode the
    /// records it made (`EncodedLines`).
    public static func encodeLines(_ records: [StatementRecord]) -> EncodedLines {
        var w = Writer(capacity: 4096 * max(1, records.count))
        var links: [Int] = []
        links.reserveCapacity(2 * records.count)
        for k in records.indices {
            let link = write(records[k], to: &w)
            w.sink.append(0x0A)
            links.append(link.lowerBound)
            links.append(link.upperBound)
        }
        return EncodedLines(bytes: w.bytes, links: links)
    }

    /// Writes the record; returns where its `duplicate_of` value lies.
    private static func write(_ r: StatementRecord, to w: inout Writer) -> Range<Int> {
        w.open()
        w.key("charset"); w.charset(r.charset)
        w.key("date")
        if let d = r.declaration.date {
            w.open()
            w.key("confidence"); w.number(d.confidence)
            w.key("end"); w.int(d.end)
            w.key("start"); w.int(d.start)
            w.key("text"); w.string(d.text)
            w.key("value"); w.string(d.value)
            w.close()
        } else { w.null() }
        w.key("declarants"); w.array(r.declaration.declarants) { w, d in
            w.open()
            w.key("alias"); w.bool(d.alias)
            w.key("confidence"); w.number(d.confidence)
            w.key("end"); w.int(d.end)
            w.key("latin"); w.optional(d.latin)
            w.key("name"); w.string(d.name)
            w.key("start"); w.int(d.start)
            w.close()
        }
        w.key("duplicate_of")
        let linkStart = w.sink.count
        w.optional(r.duplicateOf)
        let link = linkStart..<w.sink.count
        w.key("id"); w.string(r.id)
        w.key("kind"); w.string(r.declaration.kind)
        w.key("lang"); w.string(r.lang)
        w.key("organizations"); w.array(r.declaration.organizations) { w, o in w.string(o) }
        w.key("place")
        if let p = r.declaration.place {
            w.open()
            w.key("city"); w.optional(p.city)
            w.key("confidence"); w.number(p.confidence)
            w.key("end"); w.int(p.end)
            w.key("province"); w.string(p.province)
            w.key("start"); w.int(p.start)
            w.key("text"); w.string(p.text)
            w.close()
        } else { w.null() }
        w.key("producer"); w.dictionary(r.producer)
        w.key("record"); w.string("statement")
        w.key("redacted"); w.array(r.redacted) { w, s in w.string(s) }
        w.key("schema_version"); w.int(Schema.version)
        w.key("script"); w.string(r.script)
        w.key("sentences"); w.array(r.sentences) { w, s in
            w.open()
            w.key("end"); w.int(s.end)
            w.key("start"); w.int(s.start)
            w.key("text"); w.string(s.text)
            w.key("words"); w.array(s.words) { w, span in
                w.open()
                w.key("end"); w.int(span.end)
                if let pinyin = span.pinyin { w.key("pinyin"); w.array(pinyin) { w, p in w.string(p) } }
                w.key("start"); w.int(span.start)
                w.key("text"); w.string(span.text)
                w.close()
            }
            w.close()
        }
        w.key("source")
        w.open()
        w.key("page"); w.int(r.source.page)
        w.key("path"); w.string(r.source.path)
        w.key("position"); w.int(r.source.position)
        w.key("published"); w.optional(r.source.published)
        w.key("title"); w.optional(r.source.title)
        w.key("url"); w.optional(r.source.url)
        w.close()
        w.key("text")
        w.open()
        w.key("normalized"); w.string(r.text.normalized)
        w.key("original"); w.string(r.text.original)
        w.key("pinyin"); w.optional(r.text.pinyin)
        w.key("pinyin_numbers"); w.optional(r.text.pinyinNumbers)
        w.key("simplified"); w.optional(r.text.simplified)
        w.key("traditional"); w.optional(r.text.traditional)
        w.close()
        w.key("translation")
        if let t = r.translation {
            w.open()
            w.key("lang"); w.string(t.lang)
            w.key("links"); w.array(t.links) { w, link in
                w.open()
                w.key("score"); w.number(link.score)
                w.key("statement"); w.array(link.statement) { w, i in w.int(i) }
                w.key("translation"); w.array(link.translation) { w, i in w.int(i) }
                w.close()
            }
            w.key("score"); if let score = t.score { w.number(score) } else { w.null() }
            w.key("sentences"); w.array(t.sentences) { w, s in w.string(s) }
            w.key("text"); w.string(t.text)
            w.close()
        } else { w.null() }
        w.close()
        return link
    }

    /// A record's `duplicate_of` value as JSON: null or the quoted id.
    static func link(_ duplicateOf: String?) -> [UInt8] {
        var w = Writer(capacity: 64)
        w.optional(duplicateOf)
        return w.bytes
    }

    public static func encode(_ p: PageRecord, lineEnd: Bool = false) -> [UInt8] {
        var w = Writer()
        w.open()
        w.key("author"); w.optional(p.author)
        w.key("charset"); w.charset(p.charset)
        w.key("id"); w.string(p.id)
        w.key("lang"); w.optional(p.lang)
        w.key("notes"); w.array(p.notes) { w, n in w.string(n) }
        w.key("published"); w.optional(p.published)
        w.key("record"); w.string("page")
        w.key("schema_version"); w.int(Schema.version)
        w.key("script"); w.string(p.script)
        w.key("source")
        w.open()
        w.key("path"); w.string(p.source.path)
        w.key("position"); w.int(p.source.position)
        w.key("url"); w.optional(p.source.url)
        w.key("warc_date"); w.optional(p.source.warcDate)
        w.key("warc_record_id"); w.optional(p.source.warcRecordID)
        w.close()
        w.key("statements"); w.int(p.statements)
        w.key("text"); w.string(p.text)
        w.key("title"); w.optional(p.title)
        w.close()
        if lineEnd { w.sink.append(0x0A) }
        return w.bytes
    }

    struct Writer {
        /// Written through a pointer (`ByteSink`): an Array append checked the array's
        /// uniqueness and capacity each time, more than a key or a number costs.
        let sink: ByteSink
        var first = true

        init(capacity: Int = 8192) { sink = ByteSink(capacity: capacity) }

        var bytes: [UInt8] { sink.array }

        mutating func open() { sink.append(0x7B); first = true }
        mutating func close() { sink.append(0x7D); first = false }
        // Inlined, the name's length and bytes are constants where the key is written.
        @inline(__always)
        mutating func key(_ name: StaticString) {
            sink.appendKey(name, afterValue: !first)
            first = true
        }
        mutating func int(_ value: Int) {
            if value < 0 { sink.append(0x2D) }
            sink.appendDecimal(value.magnitude)
            first = false
        }
        mutating func bool(_ value: Bool) { sink.append(value ? "true" : "false"); first = false }
        mutating func null() { sink.append("null"); first = false }
        /// As Foundation writes a Double: integral values without a fraction.
        mutating func number(_ value: Double) {
            if value.rounded() == value, abs(value) < 1e15 {
                int(Int(value))
            } else {
                var text = "\(value)"
                text.withUTF8 { sink.append($0) }
            }
            first = false
        }
        mutating func optional(_ value: String?) { if let value { string(value) } else { null() } }
        /// Most strings are a word or a syllable with nothing to escape (a record has
        /// some 150): written whole, with one test for room. The test and the copy
        /// stay small enough to be inlined where the string's bytes are read; a
        /// closure holding the escaping loop as well was called, not inlined, and
        /// retained the sink at each call.
        /// The bytes are read where the string keeps them (`withContiguousStorageIfAvailable`,
        /// which a native string always allows), not through a copy of the string:
        /// `withUTF8` needs one it may mutate, a retain and a release of its storage
        /// for each of the 1.8 million strings a run of the web corpus writes.
        mutating func string(_ value: String) {
            let sink = self.sink
            if value.utf8.withContiguousStorageIfAvailable({ utf8 in sink.appendQuoted(ifPlain: utf8) }) != true {
                var value = value
                value.withUTF8 { escaped($0) }
            }
            first = false
        }
        /// Runs that need no escaping are copied whole: appending byte by byte was a
        /// third of the encoding's time.
        @inline(never)
        private mutating func escaped(_ utf8: UnsafeBufferPointer<UInt8>) {
            sink.append(0x22)
            var run = 0, i = 0
            let n = utf8.count
            while i < n {
                // Eight bytes at a time while none of them needs escaping (a control
                // byte, a quote or a backslash): the usual case, tested in a word.
                if i + 8 <= n, let base = utf8.baseAddress,
                   !Self.mayNeedEscaping(UTF8Code.word(at: base + i)) {
                    i += 8
                    continue
                }
                let byte = utf8[i]
                if byte < 0x20 || byte == 0x22 || byte == 0x5C {
                    sink.append(UnsafeBufferPointer(rebasing: utf8[run..<i]))
                    escape(byte)
                    run = i + 1
                }
                i += 1
            }
            sink.append(UnsafeBufferPointer(rebasing: utf8[run...]))
            sink.append(0x22)
        }
        /// Whether some byte is a control byte, a quote or a backslash: eight bytes at a
        /// time, the last eight overlapping the ones before; four to seven bytes (a word
        /// of two Chinese characters, most syllables) as two overlapping halves of one
        /// word; shorter text byte by byte.
        @inline(__always)
        static func needsEscaping(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
            let n = utf8.count
            guard let base = utf8.baseAddress, n >= 8 else {
                if n >= 4, let base = utf8.baseAddress {
                    let raw = UnsafeRawPointer(base)
                    let head = raw.loadUnaligned(as: UInt32.self), tail = raw.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
                    return mayNeedEscaping(UInt64(UInt32(littleEndian: head)) | UInt64(UInt32(littleEndian: tail)) << 32)
                }
                var found = false
                for byte in utf8 { found = found || byte < 0x20 || byte == 0x22 || byte == 0x5C }
                return found
            }
            var i = 0
            while i + 8 <= n {
                if mayNeedEscaping(UTF8Code.word(at: base + i)) { return true }
                i += 8
            }
            return i < n && mayNeedEscaping(UTF8Code.word(at: base + n - 8))
        }
        /// Whether some byte of the word is below 0x20, 0x22 or 0x5C (exact as a yes or
        /// no: `UTF8Code`'s test for a control byte, and the usual test for a zero byte
        /// on the word xor each byte sought).
        @inline(__always)
        static func mayNeedEscaping(_ word: UInt64) -> Bool {
            UTF8Code.hasByteBelowSpace(word) || UTF8Code.hasByte(0x22, in: word) || UTF8Code.hasByte(0x5C, in: word)
        }
        private static let hex: [UInt8] = Array("0123456789abcdef".utf8)
        private mutating func escape(_ byte: UInt8) {
            switch byte {
            case 0x22: sink.append(0x5C); sink.append(0x22)
            case 0x5C: sink.append(0x5C); sink.append(0x5C)
            case 0x0A: sink.append(0x5C); sink.append(0x6E)
            case 0x0D: sink.append(0x5C); sink.append(0x72)
            case 0x09: sink.append(0x5C); sink.append(0x74)
            case 0x08: sink.append(0x5C); sink.append(0x62)
            case 0x0C: sink.append(0x5C); sink.append(0x66)
            default:
                sink.append("\\u00")
                sink.append(Self.hex[Int(byte >> 4)]); sink.append(Self.hex[Int(byte & 15)])
            }
        }
        mutating func array<T>(_ items: [T], _ body: (inout Writer, T) -> Void) {
            sink.append(0x5B)
            // Each item lent to `body` in place: `enumerated()` copied it out, retaining
            // and releasing what it holds (a word's syllable list, a long text).
            for k in items.indices {
                if k > 0 { sink.append(0x2C) }
                body(&self, items[k])
            }
            sink.append(0x5D)
            first = false
        }
        mutating func dictionary(_ values: [String: String]) {
            open()
            for (k, entry) in values.sorted(by: { $0.key < $1.key }).enumerated() {
                if k > 0 { sink.append(0x2C) }
                string(entry.key); sink.append(0x3A); string(entry.value)
            }
            close()
        }
        mutating func charset(_ c: PageRecord.Charset) {
            open()
            key("decided_by"); string(c.decidedBy)
            key("declared"); optional(c.declared)
            key("invalid_bytes"); int(c.invalidBytes)
            key("name"); string(c.name)
            close()
        }
    }
}

/// A growing byte buffer written through its pointer, for the record encoder.
final class ByteSink {
    private var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(16, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    var array: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    @inline(__always)
    func append(_ byte: UInt8) {
        if count == capacity { grow(to: count + 1) }
        base[count] = byte
        count += 1
    }

    @inline(__always)
    func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        if count + bytes.count > capacity { grow(to: count + bytes.count) }
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    @inline(__always)
    func append(_ text: StaticString) {
        text.withUTF8Buffer { append($0) }
    }

    /// `"text"` when no byte needs escaping (`RecordJSON.Writer.needsEscaping`), with
    /// one test for room; false, and nothing written, otherwise.
    @inline(__always)
    func appendQuoted(ifPlain bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if RecordJSON.Writer.needsEscaping(bytes) { return false }
        let n = bytes.count
        if count + n + 2 > capacity { grow(to: count + n + 2) }
        base[count] = 0x22
        if let source = bytes.baseAddress, n > 0 { Self.copy(source, to: base + count + 1, count: n) }
        base[count + n + 1] = 0x22
        count += n + 2
        return true
    }

    /// Most strings of a record are a word or a syllable of 3 to 16 bytes: copied in
    /// two loads and stores that overlap (or a byte at a time below 4), where a call to
    /// `memcpy` cost more than the copy.
    @inline(__always)
    static func copy(_ source: UnsafePointer<UInt8>, to target: UnsafeMutablePointer<UInt8>, count n: Int) {
        let from = UnsafeRawPointer(source), to = UnsafeMutableRawPointer(target)
        switch n {
        case 8...16:
            let head = from.loadUnaligned(as: UInt64.self), tail = from.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
            to.storeBytes(of: head, as: UInt64.self)
            to.storeBytes(of: tail, toByteOffset: n - 8, as: UInt64.self)
        case 4..<8:
            let head = from.loadUnaligned(as: UInt32.self), tail = from.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
            to.storeBytes(of: head, as: UInt32.self)
            to.storeBytes(of: tail, toByteOffset: n - 4, as: UInt32.self)
        case 2..<4:
            // Two overlapping halves (the byte loop became a call to memcpy).
            let head = from.loadUnaligned(as: UInt16.self), tail = from.loadUnaligned(fromByteOffset: n - 2, as: UInt16.self)
            to.storeBytes(of: head, as: UInt16.self)
            to.storeBytes(of: tail, toByteOffset: n - 2, as: UInt16.self)
        case 1:
            target[0] = source[0]
        case 0:
            break
        default:
            target.update(from: source, count: n)
        }
    }

    /// `,"name":` (the comma when a value came before), with one test for room: a
    /// record has a key for every number and string, four for every word.
    @inline(__always)
    func appendKey(_ name: StaticString, afterValue: Bool) {
        let n = name.utf8CodeUnitCount
        if count + n + 4 > capacity { grow(to: count + n + 4) }
        var p = base + count
        if afterValue { p.pointee = 0x2C; p += 1 }
        p.pointee = 0x22
        let source = name.utf8Start
        for k in 0..<n { p[1 + k] = source[k] }
        p[n + 1] = 0x22
        p[n + 2] = 0x3A
        count = base.distance(to: p) + n + 3
    }

    /// The decimal digits of `value`, written in place from the right, two at a time
    /// from a table of the pairs 00 to 99: a temporary buffer and a copy for each
    /// number cost more than the digits, and a division per digit was most of what
    /// is left (a record writes some 200 numbers, most of them offsets below 1,000).
    @inline(__always)
    func appendDecimal(_ value: UInt) {
        var digits = 1, bound: UInt = 10
        while value >= bound && digits < 19 { digits += 1; bound &*= 10 }
        if value >= bound { digits = 20 } // past 10^19: the twentieth digit
        if count + digits > capacity { grow(to: count + digits) }
        let pairs = Self.digitPairs.utf8Start
        var rest = value, k = count + digits
        while rest >= 100 {
            let pair = Int(truncatingIfNeeded: rest % 100) &* 2
            rest /= 100
            k -= 2
            base[k] = pairs[pair]
            base[k + 1] = pairs[pair + 1]
        }
        if rest >= 10 {
            let pair = Int(truncatingIfNeeded: rest) &* 2
            base[k - 2] = pairs[pair]
            base[k - 1] = pairs[pair + 1]
        } else {
            base[k - 1] = 0x30 + UInt8(truncatingIfNeeded: rest)
        }
        count += digits
    }

    /// "00", "01" … "99" one after another: a literal's bytes, read where they are
    /// (a stored global would be checked for its first use at every number).
    private static var digitPairs: StaticString { """
        0001020304050607080910111213141516171819202122232425262728293031323334353637383940414243444546474849\
        5051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899
        """ }

    private func grow(to needed: Int) {
        var larger = capacity * 2
        while larger < needed { larger *= 2 }
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
        moved.moveInitialize(from: base, count: count)
        base.deallocate()
        base = moved
        capacity = larger
    }
}

/// Statement records already encoded as JSON Lines, each with the place of its
/// `duplicate_of` value. With several jobs a worker encodes the records it made:
/// encoded by the ordered stage's thread, they were read from the other core's
/// caches, and that thread's encoding held up both cores. The ordered stage decides
/// duplicates after the encoding, so the writer puts a link in when it finds one.
public struct EncodedLines: Sendable {
    let bytes: [UInt8]
    /// Each line's `duplicate_of` value, as the start and end of its bytes.
    let links: [Int]

    public var count: Int { links.count / 2 }

    /// Hands `put` the lines of `records`, the records these lines were encoded from
    /// (as many, in the same order), each with the `duplicate_of` its record has now;
    /// the lines of records with no link in either come through as one run.
    public func write(for records: [StatementRecord], _ put: (ArraySlice<UInt8>) throws -> Void) throws {
        precondition(records.count == count, "encoded lines are for other records")
        var run = 0
        for k in records.indices {
            let start = links[2 * k], end = links[2 * k + 1]
            let link = records[k].duplicateOf
            // Left as encoded when it is null and stays so; a link is written afresh.
            if link == nil && bytes[start] == 0x6E { continue }
            try put(bytes[run..<start])
            try put(RecordJSON.link(link)[...])
            run = end
        }
        if run < bytes.count { try put(bytes[run...]) }
    }
}
