import Foundation

/// Charts drawn on the server as SVG, shown without any script: a heat map and bar charts. Each is an image with its
/// title (`role="img"`, `aria-labelledby`); the page puts the same data in a table beside it for screen readers and
/// for copying. Colours keep a 3:1 contrast with the page, and every value is also written as text.
enum SVGChart {
    struct Bar { let label: String; let value: Double; let text: String; var colour: String = "#1f5fa8" }

    /// Bars from left to right, the value above each, the label below (every `labelEvery`-th label when they are many).
    static func bars(_ bars: [Bar], id: String, title: String, width: Int = 640, height: Int = 200, labelEvery: Int = 1) -> String {
        let top = 24.0, bottom = 28.0, left = 8.0
        let plot = Double(height) - top - bottom
        let slot = (Double(width) - 2 * left) / Double(max(bars.count, 1))
        let highest = max(bars.map(\.value).max() ?? 0, 1)
        var parts: [String] = []
        for (index, bar) in bars.enumerated() {
            let barHeight = plot * bar.value / highest
            let x = left + Double(index) * slot + slot * 0.15
            let y = top + plot - barHeight
            parts.append("<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(slot * 0.7))\" height=\"\(f(barHeight))\" fill=\"\(bar.colour)\"><title>\(HTML.escaped(bar.label)) : \(HTML.escaped(bar.text))</title></rect>")
            if bars.count <= 31 {
                parts.append("<text x=\"\(f(x + slot * 0.35))\" y=\"\(f(y - 4))\" text-anchor=\"middle\" font-size=\"10\">\(HTML.escaped(bar.text))</text>")
            }
            if index % max(labelEvery, 1) == 0 {
                parts.append("<text x=\"\(f(x + slot * 0.35))\" y=\"\(f(Double(height) - bottom + 14))\" text-anchor=\"middle\" font-size=\"10\">\(HTML.escaped(bar.label))</text>")
            }
        }
        parts.append("<line x1=\"\(f(left))\" y1=\"\(f(top + plot))\" x2=\"\(f(Double(width) - left))\" y2=\"\(f(top + plot))\" stroke=\"#4a5565\"/>")
        return frame(id: id, title: title, width: width, height: height, body: parts.joined())
    }

    /// A grid of counts, rows × columns, each cell shaded by its count (white for none, dark blue for the most).
    static func heatMap(_ grid: [[Int]], rows: [String], columns: [String], id: String, title: String) -> String {
        let cell = 22.0, left = 44.0, top = 20.0
        let width = Int(left + cell * Double(columns.count) + 4), height = Int(top + cell * Double(rows.count) + 4)
        let highest = max(grid.joined().max() ?? 0, 1)
        var parts: [String] = []
        for (column, label) in columns.enumerated() where column % 2 == 0 {
            parts.append("<text x=\"\(f(left + cell * (Double(column) + 0.5)))\" y=\"14\" text-anchor=\"middle\" font-size=\"10\">\(HTML.escaped(label))</text>")
        }
        for (row, label) in rows.enumerated() {
            let y = top + cell * Double(row)
            parts.append("<text x=\"\(f(left - 6))\" y=\"\(f(y + cell * 0.65))\" text-anchor=\"end\" font-size=\"11\">\(HTML.escaped(label))</text>")
            for column in columns.indices {
                let count = row < grid.count && column < grid[row].count ? grid[row][column] : 0
                let x = left + cell * Double(column)
                parts.append("<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(cell - 2))\" height=\"\(f(cell - 2))\" fill=\"\(shade(count, of: highest))\" stroke=\"#d5dbe3\"><title>\(HTML.escaped(label)) \(HTML.escaped(columns[column])) : \(count)</title></rect>")
            }
        }
        return frame(id: id, title: title, width: width, height: height, body: parts.joined())
    }

    /// From white (none) to the accent blue (the most), in eight steps.
    static func shade(_ count: Int, of highest: Int) -> String {
        guard count > 0 else { return "#ffffff" }
        let steps = ["#e6eef8", "#cddcf1", "#b3cae9", "#94b4df", "#729bd2", "#4f80c3", "#2f66b2", "#1f4f8f"]
        return steps[min(steps.count - 1, (count * steps.count - 1) / highest)]
    }

    private static func frame(id: String, title: String, width: Int, height: Int, body: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"\(id)-titre\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" class=\"chart\">"
            + "<title id=\"\(id)-titre\">\(HTML.escaped(title))</title>" + body + "</svg>"
    }

    private static func f(_ value: Double) -> String { String(format: "%.1f", value) }
}
