import Foundation

/// Where the server's files are: the page templates, the style sheets and scripts, the API description, the list of
/// refused passwords and the specialty templates. Found whatever the working directory: in `PERMANENCE_RESOURCES` when it is given, else in the
/// working directory, else beside the executable or in one of its parent folders (`.build/debug/permanence` finds the
/// checkout), else in `../share/permanence` beside it (an installed copy). When no folder holds them all, the server
/// still starts, on the first candidate, and `/ready` answers 503 naming what is missing.
struct ResourceLocation: Sendable, Equatable {
    /// The folder holding `Resources/` and `Public/`, with a final slash.
    let root: String
    /// What `root` lacks, relative to it; empty when everything is there.
    let missing: [String]

    /// Every file and folder the server reads at run time, relative to the root; a folder ends with a slash.
    static let required = [
        "Resources/Views/",
        "Resources/Views/errors/error.leaf",
        "Resources/OpenAPI/openapi.json",
        "Resources/Passwords/common-passwords.txt",
        "Resources/Specialties/",
        "Public/css/",
        "Public/js/",
    ]

    static func missing(in root: String, fileManager: FileManager = .default) -> [String] {
        required.filter { item in
            var isDirectory: ObjCBool = false
            let exists = fileManager.fileExists(atPath: root + item, isDirectory: &isDirectory)
            return !exists || isDirectory.boolValue != item.hasSuffix("/")
        }
    }

    /// The folders tried, in order.
    static func candidates(explicit: String?, workingDirectory: String, executable: String?) -> [String] {
        if let explicit { return [folder(explicit)] }
        var list = [folder(workingDirectory)]
        if let executable {
            var directory = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
            list.append(folder(directory.appendingPathComponent("../share/permanence").standardized.path))
            for _ in 0..<5 {
                list.append(folder(directory.path))
                let parent = directory.deletingLastPathComponent()
                if parent.path == directory.path { break }
                directory = parent
            }
        }
        var seen = Set<String>()
        return list.filter { seen.insert($0).inserted }
    }

    static func locate(explicit: String?, workingDirectory: String, executable: String?) -> ResourceLocation {
        let candidates = candidates(explicit: explicit, workingDirectory: workingDirectory, executable: executable)
        for candidate in candidates where missing(in: candidate).isEmpty {
            return ResourceLocation(root: candidate, missing: [])
        }
        return ResourceLocation(root: candidates[0], missing: missing(in: candidates[0]))
    }

    /// This process's executable, symbolic links resolved.
    static var currentExecutable: String? {
        #if os(Linux)
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        #endif
        return Bundle.main.executablePath ?? CommandLine.arguments.first
    }

    private static func folder(_ path: String) -> String {
        path.hasSuffix("/") ? path : path + "/"
    }
}
