/// Results of recent work by their input, for work that recurs: declarations are
/// formulaic, and the same sentence ("I hereby withdraw from the Party and all its
/// affiliated organizations") comes back in statement after statement.
///
/// Bounded: two generations of at most `capacity` entries. When the current one
/// is full it becomes the previous one, and the one before is dropped; an entry
/// found in the previous generation moves back into the current one. So what keeps
/// recurring stays, what came once goes, and memory stays within `2 × capacity`
/// entries however long the run.
///
/// Not thread-safe: one a task, like the segmenter that owns it.
struct RecentMemo<Key: Hashable, Value> {
    let capacity: Int
    private var current: [Key: Value] = [:]
    private var previous: [Key: Value] = [:]

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    var count: Int { current.count + previous.count }

    mutating func value(for key: Key) -> Value? {
        if let value = current[key] { return value }
        guard let value = previous.removeValue(forKey: key) else { return nil }
        insert(value, for: key)
        return value
    }

    mutating func insert(_ value: Value, for key: Key) {
        if current.count >= capacity {
            // The previous generation's storage, now uniquely held, is reused.
            swap(&current, &previous)
            current.removeAll(keepingCapacity: true)
        }
        current[key] = value
    }
}

/// A String as a memo key by its UTF-8 bytes: `String`'s own hashing and equality
/// follow canonical equivalence, which normalizes any non-ASCII text at each use,
/// and a memo of text results wants the exact bytes anyway.
struct UTF8Key: Hashable {
    let text: String

    init(_ text: String) { self.text = text }

    static func == (a: UTF8Key, b: UTF8Key) -> Bool {
        var x = a.text, y = b.text
        return x.withUTF8 { x in y.withUTF8 { y in x.count == y.count && x.elementsEqual(y) } }
    }

    func hash(into hasher: inout Hasher) {
        var text = text
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
