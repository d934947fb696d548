import Foundation

/// The report as one self-contained HTML file: inline CSS and SVG charts drawn here,
/// no script, no font or image from anywhere else, so it opens offline, prints, and
/// makes no network request. Every chart carries its numbers as `data-` attributes,
/// which the browser test reads back.
public struct ReportPage {
    public var data: ReportData
    /// How the report was made: versions, inputs, date (shown at the end).
    public var provenance: [(String, String)]
    public var namesRedacted: Bool

    public init(data: ReportData, provenance: [(String, String)], namesRedacted: Bool) {
        self.data = data
        self.provenance = provenance
        self.namesRedacted = namesRedacted
    }

    static let organizationLabels = ["party": "Party 退党", "youth_league": "Youth League 退团", "young_pioneers": "Young Pioneers 退队"]
    static let kindLabels = ["renunciation": "renunciation 声明退出", "support": "support 声援", "other": "other 其他"]

    public func html() -> String {
        let d = data
        var body = ""
        body += "<header><h1>declproc report <span lang=\"zh\">声明数据报告</span></h1>"
        body += "<p class=\"sub\">\(d.statements) statements from \(d.pages) pages · 共 \(d.statements) 份声明</p></header>\n"

        // Totals.
        let totals: [(String, String, Int)] = [
            ("statements", "声明", d.statements), ("pages", "网页", d.pages), ("declarants", "声明人", d.declarants),
            ("with translation", "有译文", d.withTranslation), ("duplicates", "重复", d.duplicates), ("rejected pages", "未能读取", d.rejects),
            ("undated", "无日期", d.undated),
        ]
        body += "<section><h2>Totals <span lang=\"zh\">总计</span></h2><div class=\"totals\" data-chart=\"totals\">"
        for (label, zh, value) in totals {
            body += "<div class=\"total\" data-label=\"\(Self.escape(label))\" data-count=\"\(value)\"><b>\(value)</b><span>\(Self.escape(label)) <span lang=\"zh\">\(zh)</span></span></div>"
        }
        body += "</div></section>\n"

        // Over time.
        body += "<section><h2>Statements over time <span lang=\"zh\">声明数量随时间变化</span></h2>"
        body += timeChart()
        body += "<p class=\"note\">By the declaration's date, else its page's date; \(d.undated) undated statements are not shown. "
        body += "<span lang=\"zh\">按声明日期统计，无声明日期时按网页日期；\(d.undated) 份无日期。</span></p></section>\n"

        var organizations = ["party", "youth_league", "young_pioneers"].map { (Self.organizationLabels[$0]!, $0, d.byOrganization[$0] ?? 0) }
        organizations.append(("all three 三退", "all_three", d.allThree))
        let cards: [(String, String, String, [(String, String, Int)])] = [
            ("organizations", "By organization", "按组织", organizations),
            ("kinds", "By kind", "按类别", Self.sorted(d.byKind).map { (Self.kindLabels[$0.0] ?? $0.0, $0.0, $0.1) }),
            ("places", "By province or place", "按地区", Self.top(d.byPlace, 15)),
            ("languages", "By language", "按语言", Self.top(d.byLanguage, 10)),
            ("scripts", "By script", "按字体", Self.top(d.byScript, 10)),
            ("sources", "Top sources", "主要来源", Self.top(d.bySource, 10)),
            ("rejects", "Rejected pages by reason", "未能读取的原因", Self.top(d.rejectReasons, 10)),
        ]
        body += "<div class=\"grid\">"
        for (id, title, zh, items) in cards {
            body += "<section class=\"card\"><h2>\(title) <span lang=\"zh\">\(zh)</span></h2>" + barChart(id: id, items: items) + "</section>"
        }
        body += "</div>\n"

        // Sample.
        body += "<section><h2>Sample of statements <span lang=\"zh\">声明样本</span></h2>"
        if namesRedacted { body += "<p class=\"note\">Names are redacted. <span lang=\"zh\">姓名已隐去。</span></p>" }
        body += "<div class=\"samples\" data-chart=\"samples\" data-count=\"\(d.samples.count)\">"
        for s in d.samples {
            body += "<article class=\"sample\" data-id=\"\(s.id)\"><p class=\"meta\">\([s.date, s.place, Self.kindLabels[s.kind] ?? s.kind, s.lang].compactMap { $0 }.map(Self.escape).joined(separator: " · "))</p>"
            body += "<p lang=\"\(Self.escape(s.lang))\">\(Self.escape(s.text))</p>"
            if let pinyin = s.pinyin { body += "<p class=\"pinyin\">\(Self.escape(pinyin))</p>" }
            if let translation = s.translation { body += "<p class=\"translation\" lang=\"en\">\(Self.escape(translation))</p>" }
            body += "</article>"
        }
        body += "</div></section>\n"

        body += "<footer><h2>How this report was made <span lang=\"zh\">报告说明</span></h2><dl>"
        for (key, value) in provenance { body += "<dt>\(Self.escape(key))</dt><dd>\(Self.escape(value))</dd>" }
        body += "</dl></footer>\n"

        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>declproc report 声明数据报告</title>
        <style>
        \(Self.css)
        </style>
        </head>
        <body>
        \(body)</body>
        </html>

        """
    }

    // MARK: Charts

    /// Horizontal bars, one per item, scaled to the largest.
    func barChart(id: String, items: [(label: String, key: String, count: Int)]) -> String {
        guard !items.isEmpty else { return "<p class=\"empty\" data-chart=\"\(id)\" data-total=\"0\">none <span lang=\"zh\">无</span></p>" }
        let rowHeight = 24, labelWidth = 150, width = 380, barSpace = width - labelWidth - 44
        let height = items.count * rowHeight + 8
        let largest = max(1, items.map(\.count).max()!)
        let total = items.reduce(0) { $0 + $1.count }
        var svg = "<svg class=\"chart\" data-chart=\"\(id)\" data-total=\"\(total)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(id)\">"
        for (k, item) in items.enumerated() {
            let y = 4 + k * rowHeight
            let w = item.count == 0 ? 0 : max(2, Int((Double(item.count) / Double(largest) * Double(barSpace)).rounded()))
            svg += "<g class=\"bar\" data-label=\"\(Self.escape(item.key))\" data-count=\"\(item.count)\">"
            svg += "<text x=\"\(labelWidth - 8)\" y=\"\(y + 16)\" text-anchor=\"end\">\(Self.escape(Self.clip(item.label, 20)))</text>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(w)\" height=\"\(rowHeight - 8)\" rx=\"3\"/>"
            svg += "<text class=\"count\" x=\"\(labelWidth + w + 6)\" y=\"\(y + 16)\">\(item.count)</text></g>"
        }
        return svg + "</svg>"
    }

    /// Bars per day, month or year (whichever keeps the chart under about 120 bars),
    /// zeros included, with the cumulative count as a line over them.
    func timeChart() -> String {
        let days = data.byDay.keys.sorted()
        guard let first = days.first, let last = days.last else {
            return "<p class=\"empty\" data-chart=\"over-time\" data-total=\"0\">no dated statements <span lang=\"zh\">无日期</span></p>"
        }
        let granularity: String
        if Self.dayNumber(last) - Self.dayNumber(first) <= 120 { granularity = "day" }
        else if Self.monthNumber(last) - Self.monthNumber(first) <= 120 { granularity = "month" }
        else { granularity = "year" }
        func bucket(_ day: String) -> String {
            switch granularity {
            case "day": day
            case "month": String(day.prefix(7))
            default: String(day.prefix(4))
            }
        }
        var counts: [String: Int] = [:]
        for (day, count) in data.byDay { counts[bucket(day), default: 0] += count }
        var labels: [String] = []
        var cursor = bucket(first)
        let end = bucket(last)
        while true {
            labels.append(cursor)
            if cursor == end || labels.count > 5000 { break }
            cursor = Self.next(cursor, granularity)
        }
        let width = 600, height = 240, left = 44, bottom = 36, top = 12, right = 44
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let largest = max(1, labels.map { counts[$0] ?? 0 }.max()!)
        let total = labels.reduce(0) { $0 + (counts[$1] ?? 0) }
        let step = Double(plotWidth) / Double(labels.count)
        var svg = "<svg class=\"chart time\" data-chart=\"over-time\" data-granularity=\"\(granularity)\" data-total=\"\(total)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"statements over time\">"
        svg += "<line class=\"axis\" x1=\"\(left)\" y1=\"\(top + plotHeight)\" x2=\"\(left + plotWidth)\" y2=\"\(top + plotHeight)\"/>"
        var cumulative = 0
        var points: [String] = []
        for (k, label) in labels.enumerated() {
            let count = counts[label] ?? 0
            cumulative += count
            let x = Double(left) + Double(k) * step
            let h = Double(count) / Double(largest) * Double(plotHeight)
            svg += "<rect class=\"period\" data-label=\"\(label)\" data-count=\"\(count)\" x=\(Self.f(x + step * 0.1)) y=\(Self.f(Double(top + plotHeight) - h)) width=\(Self.f(max(step * 0.8, 0.5))) height=\(Self.f(h))><title>\(label): \(count)</title></rect>"
            points.append(String(format: "%.1f,%.1f", x + step / 2, Double(top + plotHeight) - Double(cumulative) / Double(max(total, 1)) * Double(plotHeight)))
        }
        svg += "<polyline class=\"cumulative\" data-total=\"\(cumulative)\" points=\"\(points.joined(separator: " "))\"/>"
        svg += "<text x=\"\(left - 6)\" y=\"\(top + 10)\" text-anchor=\"end\">\(largest)</text>"
        svg += "<text x=\"\(left - 6)\" y=\"\(top + plotHeight)\" text-anchor=\"end\">0</text>"
        svg += "<text class=\"cum\" x=\"\(left + plotWidth + 6)\" y=\"\(top + 10)\">\(total)</text>"
        svg += "<text x=\"\(left)\" y=\"\(height - 10)\">\(labels.first!)</text>"
        svg += "<text x=\"\(left + plotWidth)\" y=\"\(height - 10)\" text-anchor=\"end\">\(labels.last!)</text>"
        svg += "</svg>"
        svg += "<p class=\"legend\"><span class=\"key bars\"></span>statements per \(granularity) <span lang=\"zh\">每\(["day": "日", "month": "月", "year": "年"][granularity]!)声明数</span> "
        svg += "<span class=\"key line\"></span>cumulative <span lang=\"zh\">累计</span> (right scale: \(total))</p>"
        return svg
    }

    // MARK: Helpers

    static func sorted(_ counts: [String: Int]) -> [(String, Int)] {
        counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
    }

    static func top(_ counts: [String: Int], _ limit: Int) -> [(String, String, Int)] {
        let sorted = sorted(counts)
        var items = sorted.prefix(limit).map { ($0.0, $0.0, $0.1) }
        if sorted.count > limit { items.append(("other \(sorted.count - limit) 其他", "(other)", sorted.dropFirst(limit).reduce(0) { $0 + $1.1 })) }
        return items
    }

    static func dayNumber(_ day: String) -> Int {
        let p = day.split(separator: "-").compactMap { Int($0) }
        guard p.count == 3 else { return 0 }
        var c = DateComponents(); c.year = p[0]; c.month = p[1]; c.day = p[2]
        let calendar = Calendar(identifier: .gregorian)
        return Int((calendar.date(from: c)?.timeIntervalSince1970 ?? 0) / 86_400)
    }

    static func monthNumber(_ day: String) -> Int {
        let p = day.split(separator: "-").compactMap { Int($0) }
        return p.count >= 2 ? p[0] * 12 + p[1] : 0
    }

    static func next(_ label: String, _ granularity: String) -> String {
        let p = label.split(separator: "-").compactMap { Int($0) }
        switch granularity {
        case "year": return String(format: "%04d", p[0] + 1)
        case "month": return p[1] == 12 ? String(format: "%04d-01", p[0] + 1) : String(format: "%04d-%02d", p[0], p[1] + 1)
        default:
            var c = DateComponents(); c.year = p[0]; c.month = p[1]; c.day = p[2]
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let date = calendar.date(byAdding: .day, value: 1, to: calendar.date(from: c)!)!
            let n = calendar.dateComponents([.year, .month, .day], from: date)
            return String(format: "%04d-%02d-%02d", n.year!, n.month!, n.day!)
        }
    }

    static func f(_ x: Double) -> String { String(format: "\"%.1f\"", x) }

    static func clip(_ text: String, _ limit: Int) -> String { text.count <= limit ? text : String(text.prefix(limit - 1)) + "…" }

    static func escape(_ text: String) -> String {
        var out = ""
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: if c.value >= 0x20 || c == "\n" || c == "\t" { out.unicodeScalars.append(c) }
            }
        }
        return out
    }

    static let css = """
    :root { --ink: #1d2430; --muted: #5b6575; --bar: #3a6ea5; --line: #c0392b; --card: #f5f7fa; }
    * { box-sizing: border-box; }
    body { margin: 0 auto; max-width: 1100px; padding: 16px; color: var(--ink);
      font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif; }
    h1 { font-size: 1.6em; margin: 0.2em 0; } h2 { font-size: 1.1em; margin: 0 0 0.5em; }
    h1 span, h2 span { color: var(--muted); font-weight: normal; }
    section { margin: 20px 0; } .sub, .note, .legend { color: var(--muted); font-size: 0.9em; }
    .totals { display: grid; grid-template-columns: repeat(auto-fit, minmax(130px, 1fr)); gap: 8px; }
    .total { background: var(--card); border-radius: 6px; padding: 8px 10px; }
    .total b { display: block; font-size: 1.5em; } .total span { color: var(--muted); font-size: 0.85em; }
    .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 16px; }
    .card { background: var(--card); border-radius: 6px; padding: 12px; margin: 0; min-width: 0; align-self: start; }
    svg.chart { width: 100%; height: auto; display: block; }
    svg.chart text { font-size: 13px; fill: var(--ink); } svg.chart .count { fill: var(--muted); }
    svg.chart rect { fill: var(--bar); } svg.chart .axis { stroke: var(--muted); }
    svg.chart .cumulative { fill: none; stroke: var(--line); stroke-width: 2; } svg.chart .cum { fill: var(--line); }
    .key { display: inline-block; width: 12px; height: 12px; vertical-align: middle; margin: 0 4px 0 10px; }
    .key.bars { background: var(--bar); } .key.line { background: var(--line); height: 3px; }
    .samples { display: grid; gap: 10px; }
    .sample { border-left: 3px solid var(--bar); padding: 4px 12px; background: var(--card); overflow-wrap: anywhere; }
    .sample p { margin: 4px 0; } .meta { color: var(--muted); font-size: 0.85em; }
    .pinyin { color: var(--muted); font-style: italic; } .translation { color: #2d4a2d; }
    footer dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; overflow-wrap: anywhere; }
    footer dt { color: var(--muted); } footer dd { margin: 0; min-width: 0; }
    @media print { body { max-width: none; } .card, .sample, .total { break-inside: avoid; } }
    """
}
