import DeclprocCollections
import Foundation

/// A path's bead: Chinese [i0, i1), English [j0, j1), and its cost.
struct PathBead { let i0, i1, j0, j1: Int; let cost: Double }

/// The band: for each row i (Chinese sentences consumed), the English columns allowed.
struct Band { var lo: [Int]; var hi: [Int] }

/// A set of up to 256 token (or key) positions of one sentence, kept inline: the
/// programme ORs millions of them. Positions past 256 in a very long sentence are
/// not used as evidence.
struct Mask: Equatable {
    var w0: UInt64 = 0, w1: UInt64 = 0, w2: UInt64 = 0, w3: UInt64 = 0
    static let capacity = 256
    mutating func insert(_ p: Int) {
        switch p >> 6 {
        case 0: w0 |= 1 << UInt64(p & 63)
        case 1: w1 |= 1 << UInt64(p & 63)
        case 2: w2 |= 1 << UInt64(p & 63)
        case 3: w3 |= 1 << UInt64(p & 63)
        default: break
        }
    }
    func contains(_ p: Int) -> Bool {
        switch p >> 6 {
        case 0: w0 >> UInt64(p & 63) & 1 == 1
        case 1: w1 >> UInt64(p & 63) & 1 == 1
        case 2: w2 >> UInt64(p & 63) & 1 == 1
        case 3: w3 >> UInt64(p & 63) & 1 == 1
        default: false
        }
    }
    mutating func formUnion(_ o: Mask) { w0 |= o.w0; w1 |= o.w1; w2 |= o.w2; w3 |= o.w3 }
    @inline(__always) func forEach(_ body: (Int) -> Void) {
        var bits = w0
        while bits != 0 { body(bits.trailingZeroBitCount); bits &= bits - 1 }
        bits = w1
        while bits != 0 { body(64 + bits.trailingZeroBitCount); bits &= bits - 1 }
        bits = w2
        while bits != 0 { body(128 + bits.trailingZeroBitCount); bits &= bits - 1 }
        bits = w3
        while bits != 0 { body(192 + bits.trailingZeroBitCount); bits &= bits - 1 }
    }
}

/// Which tokens of Chinese sentence z and which keys of English sentence e they share.
struct PairMatch { let zh: Mask; let en: Mask }

/// The arrays a pass of the programme works in, lent from pass to pass and run to run
/// (an aligner keeps one): made afresh, they were some 37 allocations a pass (27,551 on
/// 150 web pages, a twentieth of the run's). A value, moved into a pass and out
/// again: held by a class, each of its uses was an access checked at run time.
struct ProgrammeScratch {
    var ints = ArrayPool<Int>(), doubles = ArrayPool<Double>(), ids = ArrayPool<Int32>()
    var matches = ArrayPool<PairMatch>(), steps = ArrayPool<Int8>()
}

/// Arrays of one element type, lent out filled and kept when given back, so that a
/// pass works in the room an earlier pass had allocated.
struct ArrayPool<Element> {
    private var arrays: [[Element]] = []
    /// Arrays whose room grew past this many elements (a very long statement's) are
    /// let go, not kept: a worker keeps a few megabytes here at most, where a web
    /// statement's pass needs arrays of tens of elements.
    static var keptRoom: Int { 1 << 14 }

    /// An array of `count` copies of `value`, in the room of one given back before.
    mutating func lend(_ value: Element, count: Int = 0) -> [Element] {
        var array = arrays.popLast() ?? []
        array.removeAll(keepingCapacity: true)
        array.append(contentsOf: repeatElement(value, count: count))
        return array
    }

    mutating func keep(_ array: consuming [Element]) {
        if array.capacity <= Self.keptRoom { arrays.append(array) }
    }
}

extension AlignmentRun {
    /// DECLPROC_ALIGN_TRACE=1 prints the aligner's stages with times, for profiling.
    /// Read once: building the environment dictionary on every statement cost 1.4%.
    static let tracing = ProcessInfo.processInfo.environment["DECLPROC_ALIGN_TRACE"] != nil

    func align() -> [AlignmentBead] {
        let trace = Self.tracing
        if trace { FileHandle.standardError.write(Data("tokenized \(Date())\n".utf8)) }
        var width = Model.anchorBand
        // A band that wide holds every English sentence in every row, wherever its
        // centre: the anchors (a sixth of a short statement's alignment) would
        // change nothing.
        let center = width >= ne ? [Double](filledWith: 0, count: nz + 1) : anchorCenter()
        if trace { FileHandle.standardError.write(Data("anchors \(Date())\n".utf8)) }
        var path: [PathBead]
        while true {
            let band = band(around: center, width: width)
            path = programme(band)
            if trace {
                let cells = (0...nz).reduce(0) { $0 + max(0, band.hi[$1] - band.lo[$1] + 1) }
                FileHandle.standardError.write(Data("pass A width \(width): \(cells) cells, \(Date())\n".utf8))
            }
            if width >= ne || !touchesEdge(path, band) { break }
            width *= 2
        }
        reestimate(path)
        path = programme(band(around: path, width: Model.pathBand))
        return path.map { AlignmentBead(zh: $0.i0..<$0.i1, en: $0.j0..<$0.j1, cost: $0.cost) }
    }

    // MARK: Bands

    /// A chain of rare keys shared by a Chinese and an English sentence (weighted
    /// longest increasing subsequence), interpolated into a diagonal for every row.
    func anchorCenter() -> [Double] {
        var weights: [Int: Double] = [:]
        // Keys in their order: a pair's weight is a sum over the keys it shares, and a
        // sum of doubles in another order (a dictionary's differs from process to
        // process) can differ in its last bit, enough to move a weight across the
        // threshold below or break a tie in the chain.
        for key in Int32(0)..<Int32(keyCount) {
            let zs = zpost[key], es = epost[key]
            guard (1...Model.anchorMaxDF).contains(zs.count), (1...Model.anchorMaxDF).contains(es.count) else { continue }
            let w = 1 / Double(zs.count * es.count)
            for z in zs { for e in es { weights[z * (ne + 1) + e, default: 0] += w } }
        }
        let points = weights.filter { $0.value >= 0.5 }.map { (z: $0.key / (ne + 1), e: $0.key % (ne + 1), w: $0.value) }
            .sorted { ($0.z, $0.e) < ($1.z, $1.e) }
        // Fenwick tree over e of (best score, index) for chains ending before e.
        let size = ne + 2
        var tree = [(Double, Int)](filledWith: (0, -1), count: size + 1)
        func query(_ j: Int) -> (Double, Int) {
            var best = (0.0, -1), j = j
            while j > 0 { if tree[j].0 > best.0 { best = tree[j] }; j -= j & -j }
            return best
        }
        func update(_ j: Int, _ value: (Double, Int)) {
            var j = j + 1
            while j <= size { if value.0 > tree[j].0 { tree[j] = value }; j += j & -j }
        }
        var back = [Int](filledWith: -1, count: points.count), score = [Double](filledWith: 0, count: points.count)
        var k = 0
        while k < points.count {
            var g = k
            while g < points.count, points[g].z == points[k].z { g += 1 }
            let found = (k..<g).map { query(points[$0].e) }
            for m in k..<g { score[m] = found[m - k].0 + points[m].w; back[m] = found[m - k].1 }
            for m in k..<g { update(points[m].e, (score[m], m)) }
            k = g
        }
        var chain: [(Double, Double)] = []
        if !points.isEmpty {
            var m = score.indices.max { score[$0] < score[$1] || (score[$0] == score[$1] && $0 > $1) }!
            while m >= 0 { chain.append((Double(points[m].z) + 0.5, Double(points[m].e) + 0.5)); m = back[m] }
            chain.reverse()
        }
        let knots = [(0.0, 0.0)] + chain + [(Double(nz), Double(ne))]
        var center: [Double] = []
        var kk = 0
        for i in 0...nz {
            while kk + 1 < knots.count - 1, knots[kk + 1].0 <= Double(i) { kk += 1 }
            let (x0, y0) = knots[kk], (x1, y1) = knots[kk + 1]
            center.append(x1 > x0 ? y0 + (y1 - y0) * (Double(i) - x0) / (x1 - x0) : y1)
        }
        return center
    }

    func band(around center: [Double], width: Int) -> Band {
        var band = Band(lo: [], hi: [])
        for i in 0...nz {
            let a = min(center[max(i - 1, 0)], center[i]), b = max(center[min(i + 1, nz)], center[i])
            band.lo.append(max(0, Int(a.rounded(.down)) - width))
            band.hi.append(min(ne, Int(b.rounded(.up)) + width))
        }
        band.lo[0] = 0
        band.hi[nz] = ne
        return band
    }

    func band(around path: [PathBead], width: Int) -> Band {
        var lo = [Int](filledWith: Int.max, count: nz + 1), hi = [Int](filledWith: Int.min, count: nz + 1)
        for bead in path {
            for i in bead.i0...bead.i1 { lo[i] = min(lo[i], bead.j0); hi[i] = max(hi[i], bead.j1) }
        }
        return Band(lo: lo.map { max(0, $0 - width) }, hi: hi.map { min(ne, $0 + width) })
    }

    func touchesEdge(_ path: [PathBead], _ band: Band) -> Bool {
        for bead in path {
            for (i, j) in [(bead.i0, bead.j0), (bead.i1, bead.j1)] {
                if (band.lo[i] > 0 && j - band.lo[i] < 2) || (band.hi[i] < ne && band.hi[i] - j < 2) { return true }
            }
        }
        return false
    }

    // MARK: Lexical evidence

    /// What Chinese sentence z and English sentence e share: from `pairs` when the run
    /// made them all, else worked out.
    func pair(_ z: Int, _ e: Int) -> PairMatch? {
        if let pairs { return pairs[z * ne + e] }
        return Self.pair(zkeys[z], zkeyMasks[z], ekeys[e])
    }

    /// The tokens (by the masks of the Chinese sentence's keys) and keys two sentences'
    /// sorted key lists share; nil when they share none.
    static func pair(_ a: [Int32], _ masks: [Mask], _ b: [Int32]) -> PairMatch? {
        var i = 0, j = 0
        var zh = Mask(), en = Mask(), found = false
        while i < a.count, j < b.count {
            if a[i] < b[j] { i += 1 } else if a[i] > b[j] { j += 1 } else {
                found = true
                zh.formUnion(masks[i])
                en.insert(j)
                i += 1; j += 1
            }
        }
        return found ? PairMatch(zh: zh, en: en) : nil
    }

    static func lengthCost(_ lz: Int, _ le: Int, c: Double, s2: Double) -> Double {
        let m = (c * Double(lz) + Double(le)) / 2
        guard m > 0 else { return 0 }
        let x = abs((Double(le) - c * Double(lz)) / (s2 * m).squareRoot()) / 2.0.squareRoot()
        if x < 20 { return -log(max(erfc(x), 1e-300)) }
        return x * x + log(x * Double.pi.squareRoot())
    }

    // MARK: The dynamic programme

    func programme(_ band: Band) -> [PathBead] {
        let beads = Model.beads
        // The scratch arrays moved out of the run for the pass, and back when it ends
        // (after the arrays lent go back to them: defers run last to first).
        var scratch = ProgrammeScratch()
        swap(&scratch, &self.scratch)
        defer { swap(&scratch, &self.scratch) }
        // Filled, then read through constants: a variable the pass's local functions
        // capture is read through an access checked at run time.
        var logPriorsFilled = scratch.doubles.lend(0, count: priors.count)
        for (k, prior) in priors.enumerated() { logPriorsFilled[k] = -log(prior) }
        let logPriors = logPriorsFilled
        // Pair matches, per Chinese sentence z, for the English sentences its beads
        // can reach: a dense index into a sparse store (most pairs share nothing).
        var pairLo = scratch.ints.lend(0, count: nz), pairStart = scratch.ints.lend(0, count: nz + 1)
        var pairIndex = scratch.ids.lend(0), store = scratch.matches.lend(PairMatch(zh: Mask(), en: Mask()))
        // Memo ranges: z against the b English sentences before column j, for the
        // columns its beads can end at; e against the a Chinese sentences before row i.
        var zLo = scratch.ints.lend(0, count: nz), zStart = scratch.ints.lend(0, count: nz + 1)
        for z in 0..<nz {
            var jlo = Int.max, jhi = Int.min
            for row in (z + 1)...min(z + 5, nz) { jlo = min(jlo, band.lo[row]); jhi = max(jhi, band.hi[row]) }
            zLo[z] = jlo
            zStart[z + 1] = zStart[z] + max(0, jhi - jlo + 1) * 5
            let lo = max(0, jlo - 5)
            pairLo[z] = lo
            pairStart[z + 1] = pairStart[z] + max(0, jhi - lo)
            for e in lo..<max(lo, jhi) {
                if let m = pair(z, e) { pairIndex.append(Int32(store.count)); store.append(m) } else { pairIndex.append(-1) }
            }
        }
        var eLo = scratch.ints.lend(Int.max, count: ne), eHi = scratch.ints.lend(-1, count: ne)
        for i in 1...nz where band.lo[i] <= band.hi[i] {
            for e in max(0, band.lo[i] - 5)..<min(ne, band.hi[i]) { eLo[e] = min(eLo[e], i); eHi[e] = max(eHi[e], min(nz, i + 5)) }
        }
        var eStart = scratch.ints.lend(0, count: ne + 1)
        for e in 0..<ne { eStart[e + 1] = eStart[e] + (eHi[e] >= eLo[e] ? (eHi[e] - eLo[e] + 1) * 5 : 0) }
        // The evidence terms, precomputed for this pass's parameters: per Chinese
        // token and English key, the log-odds of a miss, and what a match in a
        // window of 1...5 sentences adds to it.
        // log(1 - pt), a miss's log-odds, is taken once per token or key and reused
        // (the same value each time it was recomputed).
        // The recalls read into constants once: a read of the run's variables is an
        // access checked at run time, one per token and key.
        let piZ = self.piZ, piZKnown = self.piZKnown, piZDefault = self.piZDefault
        let piE = self.piE, piEKnown = self.piEKnown, piEDefault = self.piEDefault
        // Windows of up to five sentences, and no wider than the other side: a short
        // statement's gains for windows it cannot have were a sixth of them.
        let zWindows = min(5, ne), eWindows = min(5, nz)
        /// What a match in a window of 1...windows sentences adds to a miss's log-odds,
        /// for recall `pt` and chance `chance` of a match in one sentence, written from
        /// `out` on. (1 - chance)^b by multiplication: pow was a tenth of the
        /// alignment's set-up.
        func gains(_ pt: Double, _ miss: Double, _ chance: Double, _ windows: Int, into out: UnsafeMutablePointer<Double>) {
            var none = 1.0
            for w in 0..<windows {
                none *= 1 - chance
                let p0 = 1 - none
                out[w] = log((pt + (1 - pt) * p0) / p0) - miss
            }
        }
        let zDefaultMiss = log(1 - piZDefault), eDefaultMiss = log(1 - piEDefault)
        // The per-token and per-key arrays are sized first and written through their
        // buffers: each append or write to an array held in a variable asked the
        // runtime whether the array was shared, a few hundred times a pass.
        var tokenMissFilled = scratch.doubles.lend(0, count: tokenCount)
        tokenMissFilled.withUnsafeMutableBufferPointer { tokenMiss in
            for token in 0..<tokenCount { tokenMiss[token] = piZKnown[token] ? log(1 - piZ[token]) : zDefaultMiss }
        }
        let tokenMiss = tokenMissFilled
        var zEvidenceBaseFilled = scratch.doubles.lend(0, count: nz)
        for z in 0..<nz { zEvidenceBaseFilled[z] = ztokens[z].reduce(0.0) { $0 + tokenMiss[$1] } }
        let zEvidenceBase = zEvidenceBaseFilled
        var eEvidenceBase = scratch.doubles.lend(0, count: ne), keyGainStart = scratch.ints.lend(0, count: ne + 1)
        for e in 0..<ne {
            keyGainStart[e + 1] = keyGainStart[e] + ekeys[e].count * eWindows
            var base = 0.0
            for key in ekeys[e] { base += piEKnown[Int(key)] ? log(1 - piE[Int(key)]) : eDefaultMiss }
            eEvidenceBase[e] = base
        }
        // The gains, per token and per key of each English sentence, and those of the
        // default recall per count (tokens and keys of the default recall, all of them
        // in the first pass, have the same miss, and the same gains for the same count;
        // counts are below the number of sentences on the other side). Each row is
        // worked out when the programme first reads it (NaN until then): only the
        // tokens and keys that some pair of sentences shares are read, and working
        // out every row took a log for each window of each token and key.
        let keyStarts = keyGainStart
        let tokenRows = tokenCount * zWindows, keyRows = keyStarts[ne]
        let zDefaultRows = (ne + 2) * zWindows, eDefaultRows = (nz + 2) * eWindows
        let gainRoom = max(1, tokenRows + keyRows + zDefaultRows + eDefaultRows)
        let tokenGain = UnsafeMutablePointer<Double>.allocate(capacity: gainRoom)
        tokenGain.initialize(repeating: .nan, count: gainRoom)
        defer { tokenGain.deallocate() }
        let keyGain = tokenGain + tokenRows, zDefaultGains = keyGain + keyRows, eDefaultGains = zDefaultGains + zDefaultRows
        /// Token `token`'s gains for windows 1...zWindows.
        func tokenGains(_ token: Int) -> UnsafeMutablePointer<Double> {
            let row = tokenGain + token * zWindows
            guard row[0].isNaN else { return row }
            if piZKnown[token] {
                gains(piZ[token], tokenMiss[token], q[token], zWindows, into: row)
            } else {
                let count = qCount[token], defaults = zDefaultGains + count * zWindows
                if defaults[0].isNaN { gains(piZDefault, zDefaultMiss, q[token], zWindows, into: defaults) }
                row.update(from: defaults, count: zWindows)
            }
            return row
        }
        /// The gains of key `p` of English sentence `e` for windows 1...eWindows.
        func keyGains(_ e: Int, _ p: Int) -> UnsafeMutablePointer<Double> {
            let row = keyGain + keyStarts[e] + p * eWindows
            guard row[0].isNaN else { return row }
            let key = Int(ekeys[e][p])
            if piEKnown[key] {
                let pt = piE[key]
                gains(pt, log(1 - pt), r[key], eWindows, into: row)
            } else {
                let count = rCount[key], defaults = eDefaultGains + count * eWindows
                if defaults[0].isNaN { gains(piEDefault, eDefaultMiss, r[key], eWindows, into: defaults) }
                row.update(from: defaults, count: eWindows)
            }
            return row
        }
        let zMemo = UnsafeMutablePointer<Double>.allocate(capacity: max(1, zStart[nz]))
        zMemo.initialize(repeating: .nan, count: max(1, zStart[nz]))
        let eMemo = UnsafeMutablePointer<Double>.allocate(capacity: max(1, eStart[ne]))
        eMemo.initialize(repeating: .nan, count: max(1, eStart[ne]))
        defer { zMemo.deallocate(); eMemo.deallocate() }
        // Every array lent above goes back when the pass ends.
        // (One call an array: gathered in array literals, they were two arrays made,
        // retained and freed a pass.)
        defer {
            scratch.ints.keep(pairLo); scratch.ints.keep(pairStart); scratch.ints.keep(zLo); scratch.ints.keep(zStart)
            scratch.ints.keep(eLo); scratch.ints.keep(eHi); scratch.ints.keep(eStart); scratch.ints.keep(keyGainStart)
            scratch.doubles.keep(logPriorsFilled); scratch.doubles.keep(tokenMissFilled); scratch.doubles.keep(zEvidenceBaseFilled)
            scratch.doubles.keep(eEvidenceBase)
            scratch.ids.keep(pairIndex)
            scratch.matches.keep(store)
        }
        // From here on the filled arrays are read through constants: the evidence
        // functions capture them, and a variable a local function captures is read
        // through an access checked at run time (some 110 a pass).
        do {
            let pairLo = pairLo, pairStart = pairStart, pairIndex = pairIndex, store = store
            let zLo = zLo, zStart = zStart, eLo = eLo, eStart = eStart
            let eEvidenceBase = eEvidenceBase
            func match(_ z: Int, _ e: Int) -> PairMatch? {
                let k = e - pairLo[z]
                if k >= 0 && k < pairStart[z + 1] - pairStart[z] {
                    let index = pairIndex[pairStart[z] + k]
                    return index < 0 ? nil : store[Int(index)]
                }
                return pair(z, e)
            }
            func zEvidence(_ z: Int, _ j: Int, _ b: Int) -> Double {
                let slot = zStart[z] + (j - zLo[z]) * 5 + (b - 1)
                let inRange = j >= zLo[z] && slot < zStart[z + 1]
                if inRange, !zMemo[slot].isNaN { return zMemo[slot] }
                var mask = Mask()
                for e in (j - b)..<j { if let m = match(z, e) { mask.formUnion(m.zh) } }
                var v = zEvidenceBase[z]
                let tokens = ztokens[z]
                mask.forEach { p in if p < tokens.count { v += tokenGains(tokens[p])[b - 1] } }
                if inRange { zMemo[slot] = v }
                return v
            }
            func eEvidence(_ e: Int, _ i: Int, _ a: Int) -> Double {
                let slot = eStart[e] + (i - eLo[e]) * 5 + (a - 1)
                let inRange = i >= eLo[e] && slot < eStart[e + 1]
                if inRange, !eMemo[slot].isNaN { return eMemo[slot] }
                var mask = Mask()
                for z in (i - a)..<i { if let m = match(z, e) { mask.formUnion(m.en) } }
                var v = eEvidenceBase[e]
                mask.forEach { p in v += keyGains(e, p)[a - 1] }
                if inRange { eMemo[slot] = v }
                return v
            }
            let ratio = self.c, s2 = self.s2, czsum = self.czsum, cesum = self.cesum
            // The rows one after another in one array each (row i from rowStart[i]):
            // an array a row was two allocations a row and a retain a read of the row before.
            let bandLo = band.lo, bandHi = band.hi
            var rowStart = scratch.ints.lend(0, count: nz + 2)
            for i in 0...nz { rowStart[i + 1] = rowStart[i] + max(0, bandHi[i] - bandLo[i] + 1) }
            var cost = scratch.doubles.lend(.infinity, count: rowStart[nz + 1])
            var back = scratch.steps.lend(-1, count: rowStart[nz + 1])
            defer {
                scratch.ints.keep(rowStart)
                scratch.doubles.keep(cost)
                scratch.steps.keep(back)
            }
            for i in 0...nz {
                let lo = bandLo[i], hi = bandHi[i], here = rowStart[i] - lo
                guard lo <= hi else { continue }
                for j in lo...hi {
                    if i == 0 && j == 0 { cost[here] = 0; continue }
                    var best = Double.infinity, arg: Int8 = -1
                    for (index, bead) in beads.enumerated() {
                        let pi = i - bead.a, pj = j - bead.b
                        guard pi >= 0, pj >= 0 else { continue }
                        let previous: Double
                        if bead.a == 0 {
                            guard pj >= lo else { continue }
                            previous = cost[here + pj]
                        } else {
                            guard pj >= bandLo[pi], pj <= bandHi[pi] else { continue }
                            previous = cost[rowStart[pi] + pj - bandLo[pi]]
                        }
                        guard previous < .infinity else { continue }
                        // The cost is (previous + prior + length) - weight × lexical. The
                        // length term is never negative and rounding is monotone, so
                        // where the cost without it is no lower than the best, the cost
                        // with it is not either: its erfc and logs (most of the
                        // programme's time) are skipped, with the same outcome.
                        let head = previous + logPriors[index]
                        var c: Double
                        if bead.a > 0 && bead.b > 0 {
                            var lexical = 0.0
                            for z in pi..<i { lexical += zEvidence(z, j, bead.b) }
                            for e in pj..<j { lexical += eEvidence(e, i, bead.a) }
                            let weighted = Model.lexicalWeight * lexical
                            if head - weighted >= best { continue }
                            c = head + Self.lengthCost(czsum[i] - czsum[pi], cesum[j] - cesum[pj], c: ratio, s2: s2)
                            c -= weighted
                        } else {
                            if head >= best { continue }
                            c = head + Self.lengthCost(czsum[i] - czsum[pi], cesum[j] - cesum[pj], c: ratio, s2: s2)
                        }
                        if c < best { best = c; arg = Int8(index) }
                    }
                    cost[here + j] = best
                    back[here + j] = arg
                }
            }
            func cell(_ i: Int, _ j: Int) -> Int {
                precondition(j >= bandLo[i] && j <= bandHi[i], "a path leaves the band")
                return rowStart[i] + j - bandLo[i]
            }
            var path: [PathBead] = []
            var i = nz, j = ne
            while i > 0 || j > 0 {
                let index = Int(back[cell(i, j)])
                guard index >= 0 else { break }
                let bead = beads[index]
                let here = cost[cell(i, j)], there = cost[cell(i - bead.a, j - bead.b)]
                path.append(PathBead(i0: i - bead.a, i1: i, j0: j - bead.b, j1: j, cost: here - there))
                i -= bead.a; j -= bead.b
            }
            return path.reversed()
        }
    }

    // MARK: Re-estimation from a path

    func reestimate(_ path: [PathBead]) {
        let aligned = path.filter { $0.i1 > $0.i0 && $0.j1 > $0.j0 }
        let lz = aligned.reduce(0) { $0 + czsum[$1.i1] - czsum[$1.i0] }
        let le = aligned.reduce(0) { $0 + cesum[$1.j1] - cesum[$1.j0] }
        if lz > 0 { c = (Double(le) + Model.ratioPrior * Model.ratioPriorWeight) / (Double(lz) + Model.ratioPriorWeight) }
        var deviations: [Double] = []
        for bead in aligned {
            let a = Double(czsum[bead.i1] - czsum[bead.i0]), b = Double(cesum[bead.j1] - cesum[bead.j0])
            let m = (c * a + b) / 2
            if m > 0 { deviations.append((b - c * a) * (b - c * a) / m) }
        }
        if deviations.count >= 10 {
            deviations.sort()
            s2 = max(deviations[deviations.count / 2] / 0.455, 1)
        }
        var counts = [Int](filledWith: 0, count: Model.beads.count)
        for bead in path {
            if let index = Model.beads.firstIndex(where: { $0.a == bead.i1 - bead.i0 && $0.b == bead.j1 - bead.j0 }) { counts[index] += 1 }
        }
        priors = Model.initialPriors.enumerated().map { k, p in
            (Double(counts[k]) + Model.priorPseudo * p) / (Double(path.count) + Model.priorPseudo)
        }
        // Counted through the arrays' buffers: each write to an array held in a variable
        // asked the runtime whether it was shared, once a token or key of each bead.
        var zHits = [Double](filledWith: 0, count: tokenCount), zSeen = [Double](filledWith: 0, count: tokenCount)
        var eHits = [Double](filledWith: 0, count: keyCount), eSeen = [Double](filledWith: 0, count: keyCount)
        var totalZ = (hits: 0.0, seen: 0.0), totalE = (hits: 0.0, seen: 0.0)
        zHits.withUnsafeMutableBufferPointer { zHits in
            zSeen.withUnsafeMutableBufferPointer { zSeen in
                for bead in aligned {
                    for z in bead.i0..<bead.i1 {
                        var mask = Mask()
                        for e in bead.j0..<bead.j1 { if let m = pair(z, e) { mask.formUnion(m.zh) } }
                        for (p, token) in ztokens[z].enumerated() {
                            let hit = mask.contains(p) ? 1.0 : 0.0
                            zHits[token] += hit; zSeen[token] += 1; totalZ.hits += hit; totalZ.seen += 1
                        }
                    }
                }
            }
        }
        eHits.withUnsafeMutableBufferPointer { eHits in
            eSeen.withUnsafeMutableBufferPointer { eSeen in
                for bead in aligned {
                    for e in bead.j0..<bead.j1 {
                        var mask = Mask()
                        for z in bead.i0..<bead.i1 { if let m = pair(z, e) { mask.formUnion(m.en) } }
                        for (p, key) in ekeys[e].enumerated() {
                            let hit = mask.contains(p) ? 1.0 : 0.0
                            eHits[Int(key)] += hit; eSeen[Int(key)] += 1; totalE.hits += hit; totalE.seen += 1
                        }
                    }
                }
            }
        }
        func clamp(_ x: Double, _ lo: Double, _ hi: Double) -> Double { min(max(x, lo), hi) }
        let gz = clamp((totalZ.hits + Model.recallGlobalPseudo * Model.recallInitial) / (totalZ.seen + Model.recallGlobalPseudo), 0.05, 0.95)
        let ge = clamp((totalE.hits + Model.recallGlobalPseudo * Model.recallInitial) / (totalE.seen + Model.recallGlobalPseudo), 0.05, 0.95)
        piZDefault = gz
        piEDefault = ge
        // Written in arrays taken out of the run and put back: each write to the run's
        // own was an access checked at run time.
        var piZ: [Double] = [], piZKnown: [Bool] = [], piE: [Double] = [], piEKnown: [Bool] = []
        swap(&piZ, &self.piZ); swap(&piZKnown, &self.piZKnown); swap(&piE, &self.piE); swap(&piEKnown, &self.piEKnown)
        for token in 0..<tokenCount where zSeen[token] > 0 {
            piZKnown[token] = true
            piZ[token] = clamp((zHits[token] + Model.recallPseudo * gz) / (zSeen[token] + Model.recallPseudo), 0.01, 0.95)
        }
        for key in eSeen.indices {
            piEKnown[key] = eSeen[key] > 0
            if eSeen[key] > 0 {
                piE[key] = clamp((eHits[key] + Model.recallPseudo * ge) / (eSeen[key] + Model.recallPseudo), 0.01, 0.95)
            }
        }
        swap(&piZ, &self.piZ); swap(&piZKnown, &self.piZKnown); swap(&piE, &self.piE); swap(&piEKnown, &self.piEKnown)
    }
}
