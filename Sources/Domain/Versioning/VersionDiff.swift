import Foundation

/// One line of a versioned document (a practice sheet, a procedure, a triage protocol) as a reader compares two
/// versions: a stable key, where it is in words, and its text.
public struct VersionLine: Equatable, Sendable {
    public let key: String
    public let label: String
    public let value: String

    public init(key: String, label: String, value: String) {
        self.key = key
        self.label = label
        self.value = value
    }
}

/// What changed from one version to the next.
public enum VersionChange: Equatable, Sendable {
    case added(label: String, value: String)
    case removed(label: String, value: String)
    case changed(label: String, before: String, after: String)

    /// The change's parts, each side nil where the line did not exist: what the API and the screens show.
    public var parts: (label: String, before: String?, after: String?) {
        switch self {
        case .added(let label, let value): (label, nil, value)
        case .removed(let label, let value): (label, value, nil)
        case .changed(let label, let old, let new): (label, old, new)
        }
    }
}

public enum VersionDiff {
    /// The changes from `old` to `new`, in the order of the new version (removed lines where they stood).
    public static func between(_ old: [VersionLine], _ new: [VersionLine]) -> [VersionChange] {
        let before = Dictionary(old.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let newKeys = Set(new.map(\.key))
        var changes: [VersionChange] = []
        var oldPosition = old.startIndex
        func flushRemoved(until key: String?) {
            while oldPosition < old.endIndex, old[oldPosition].key != key {
                let line = old[oldPosition]
                if !newKeys.contains(line.key) { changes.append(.removed(label: line.label, value: line.value)) }
                oldPosition += 1
            }
        }
        for line in new {
            if let previous = before[line.key] {
                flushRemoved(until: line.key)
                if oldPosition < old.endIndex { oldPosition += 1 }
                if previous.value != line.value { changes.append(.changed(label: line.label, before: previous.value, after: line.value)) }
            } else {
                changes.append(.added(label: line.label, value: line.value))
            }
        }
        flushRemoved(until: nil)
        return changes
    }
}
