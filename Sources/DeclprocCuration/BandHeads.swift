import CPrefetch
import DeclprocCollections

/// Band key → a 32-bit value, 0 standing for none, in one open-addressed table
/// with linear probing: the in-memory index asks it sixteen times a statement
/// and the merge once a key, and a Dictionary hashed each key with SipHash first.
/// Band keys are hashes already; a multiply spreads their high bits over the table.
/// Full to three quarters at most, as a Dictionary, so it holds as much memory.
struct BandHeads {
    private var keys: [UInt64]
    private var values: [Int32]
    private var shift: UInt64
    private(set) var count = 0

    /// Empty, allocating nothing until the first key.
    init() {
        keys = []
        values = []
        shift = 64
    }

    @inline(__always)
    private func home(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift) }

    /// The key's value, 0 when it has none.
    func value(_ key: UInt64) -> Int32 {
        if count == 0 { return 0 }
        let mask = keys.count - 1
        var slot = home(key)
        while true {
            let value = values[slot]
            if value == 0 { return 0 }
            if keys[slot] == key { return value }
            slot = (slot + 1) & mask
        }
    }

    /// Asks for the key's first slot ahead of `value`. A statement looks up sixteen
    /// bands, each a cache miss in a table of megabytes; asked for together, the
    /// misses overlap instead of following one another.
    func prefetch(_ key: UInt64) {
        guard count > 0 else { return }
        let slot = home(key)
        values.withUnsafeBufferPointer { dp_prefetch($0.baseAddress! + slot) }
        keys.withUnsafeBufferPointer { dp_prefetch($0.baseAddress! + slot) }
    }

    /// Sets the key's value (not 0) and returns the one it had, 0 for none.
    mutating func exchange(_ key: UInt64, _ value: Int32) -> Int32 {
        precondition(value != 0, "0 stands for no value")
        if (count + 1) * 4 > keys.count * 3 { grow() }
        let mask = keys.count - 1
        var slot = home(key)
        while values[slot] != 0 {
            if keys[slot] == key {
                let old = values[slot]
                values[slot] = value
                return old
            }
            slot = (slot + 1) & mask
        }
        keys[slot] = key
        values[slot] = value
        count += 1
        return 0
    }

    /// Every key with its value, in no order.
    var all: [(key: UInt64, value: Int32)] {
        var all: [(key: UInt64, value: Int32)] = []
        all.reserveCapacity(count)
        for slot in values.indices where values[slot] != 0 { all.append((keys[slot], values[slot])) }
        return all
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        let size = max(64, oldKeys.count * 2)
        keys = [UInt64](filledWith: 0, count: size)
        values = [Int32](filledWith: 0, count: size)
        shift = UInt64(64 - size.trailingZeroBitCount)
        let mask = keys.count - 1
        for old in oldValues.indices where oldValues[old] != 0 {
            var slot = home(oldKeys[old])
            while values[slot] != 0 { slot = (slot + 1) & mask }
            keys[slot] = oldKeys[old]
            values[slot] = oldValues[old]
        }
    }
}
